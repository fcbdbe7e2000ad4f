package dev.novahost.kernel.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.hungtask.HungTaskDetector;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.ObjectLimits;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.task.TaskLimits;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On real time khungtaskd checks on a thread of its own: callbacks stuck on every one of the timer
 * engine's threads, which starve every timer, work item and interrupt of the host, are still reported.
 */
class KhungtaskdTest {

    private static final int ENGINE_THREADS = 2;

    private final Kernel kernel = new Kernel(new KernelConfig(4, true, ENGINE_THREADS, 10_000, ObjectLimits.DEFAULTS,
            TaskLimits.DEFAULTS, true, new HungTaskDetector.Settings(1_000_000_000L, 10, false)), Clock.system());

    @AfterEach
    void close() {
        kernel.close();
    }

    @Test
    void callbacksStuckOnEveryEngineThreadAreStillReported() {
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
        var block = new DriverTimer.Spec(TimerMode.ONESHOT, 0, 0, Scope.DEVICE, Action.BLOCK, Optional.empty());
        var timers = IntStream.range(0, ENGINE_THREADS).mapToObj(i -> kernel.armTimer(gpu, block)).toList();
        await().atMost(Duration.ofSeconds(5)).until(() -> timers.stream().allMatch(DriverTimer::isBlocked));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kernel.sanitizer().violations())
                .filteredOn(v -> v.kind() == ViolationKind.HUNG_TASK)
                .extracting(v -> v.object())
                .containsExactlyInAnyOrderElementsOf(timers.stream().map(t -> "nova_timer_fn " + t.name()).toList()));
    }
}
