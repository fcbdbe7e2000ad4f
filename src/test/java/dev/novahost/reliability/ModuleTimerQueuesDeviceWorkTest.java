package dev.novahost.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.DriverWork;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.sanitizer.Outcome;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Found by the randomized stress test: under {@code revocable}, a module-scope timer that queues a
 * device-scope work item (the API allows it: the work belongs to the same device) outlives the
 * binding. remove() cancels the work with {@code cancel_work_sync}, which leaves it usable, and the
 * devres drop disables only work that is still active; so the timer queues it again after the driver
 * data was freed, and it runs: {@code work_after_remove} occurred, with no fault injected, under the
 * policy whose promise is that the framework prevents it. The drop now disables every device-scope
 * work item and shuts down every device-scope timer, idle or not.
 */
class ModuleTimerQueuesDeviceWorkTest {

    private final Kernel kernel = new Kernel(new KernelConfig(4, true), Clock.system());

    @AfterEach
    void shutDown() {
        kernel.close();
    }

    @Test
    void aDeviceWorkItemQueuedByAModuleTimerDoesNotRunAfterUnbind() {
        kernel.driverCore().setPolicy(NovaCoreDriver.NAME, Policy.REVOCABLE);
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
        var work = kernel.queueWork(gpu, new DriverWork.Spec(0, 0, Scope.DEVICE, Action.NOOP));
        kernel.armTimer(gpu, new DriverTimer.Spec(TimerMode.PERIODIC, 0, 1_000_000, Scope.MODULE, Action.QUEUE_WORK,
                Optional.of(work)));
        await().atMost(Duration.ofSeconds(5)).until(() -> work.executions() >= 2);

        kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu);
        long runsAtUnbind = work.executions();
        await().pollDelay(Duration.ofMillis(50)).atMost(Duration.ofSeconds(1)).until(() -> true);

        assertThat(work.executions()).as("runs of the device's work after unbind").isEqualTo(runsAtUnbind);
        assertThat(kernel.sanitizer().violations()).filteredOn(v -> v.outcome() == Outcome.OCCURRED).isEmpty();
    }
}
