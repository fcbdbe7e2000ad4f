package dev.novahost.kernel.machine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lockdep's reports reach the sanitizer: an unbind records that the device lock is held while a timer
 * is cancelled (waiting for its callback); a timer callback that then takes the device lock closes the
 * circle. Nothing blocks, and the deadlock is reported all the same, once, as {@code deadlock_possible}.
 */
class DeadlockPossibleTest {

    private final Kernel kernel = new Kernel(new KernelConfig(4, true), Clock.system());

    @AfterEach
    void close() {
        kernel.close();
    }

    @Test
    void aCallbackTakingTheDeviceLockAgainstAnUnbindThatCancelsItsTimerIsReportedBeforeAnythingBlocks()
            throws InterruptedException {
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
        kernel.armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, TimeUnit.HOURS.toNanos(1), 0, Scope.DEVICE,
                Action.NOOP, Optional.empty()));
        kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu); // &dev->mutex held across hrtimer_cancel
        assertThat(kernel.sanitizer().violations()).isEmpty();

        // The bug, as lockdep sees it: a timer callback calls device_lock(). (The callback action that does
        // so for real comes with the driver lock; here the callback's two acquisitions are made directly.)
        var lockdep = kernel.lockdep();
        var callback = Thread.ofPlatform().name("hrtimer callback").start(() -> {
            lockdep.nameTask("timer 1 callback");
            try (var running = lockdep.acquire(lockdep.lockClass("(hrtimer)nova_timer_fn"), "nova_timer_fn");
                 var device = lockdep.acquire(lockdep.lockClass("&dev->mutex"), "device_lock")) {
                // both orders now seen; the circle is closed and reported here, before anything waits
            }
        });
        callback.join();

        assertThat(kernel.sanitizer().violations()).singleElement().satisfies(violation -> {
            assertThat(violation.kind()).isEqualTo(ViolationKind.DEADLOCK_POSSIBLE);
            assertThat(violation.outcome()).isEqualTo(Outcome.OCCURRED);
            assertThat(violation.policy()).isEqualTo(Policy.REVOCABLE);
            assertThat(violation.device()).isEmpty();
            assertThat(violation.object()).isEqualTo("timer 1 callback");
            assertThat(violation.message()).startsWith("WARNING: possible circular locking dependency detected");
            assertThat(violation.timeline()).singleElement().satisfies(line -> {
                assertThat(line.type()).isEqualTo("lockdep.circular");
                assertThat(line.message())
                        .contains("timer 1 callback is trying to acquire lock: (&dev->mutex) in device_lock")
                        .contains("(hrtimer)nova_timer_fn): taken in hrtimer_cancel");
            });
        });
        assertThat(kernel.log().since(0, Integer.MAX_VALUE)).extracting(line -> line.type())
                .contains("lockdep.circular", "violation.deadlock_possible");
    }
}
