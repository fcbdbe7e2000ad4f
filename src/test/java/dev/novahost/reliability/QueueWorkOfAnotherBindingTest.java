package dev.novahost.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.KernelException;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Found by the randomized stress test: a queue-work timer is armed on whatever driver instance is bound
 * at its address when it is armed, and nothing checks that its work item belongs to that instance.
 * The HTTP API checks the work item's address, before arming, so an unbind and a bind in between (or
 * a caller of the kernel API holding an older work item) pair a timer of the new binding with a work
 * item of the old one. remove() of the old binding stopped its work, but the new binding's timer queues
 * it again, and it runs after its device's remove(): {@code work_after_remove} occurred, with no
 * fault injected. Now the arming is refused with {@code EINVAL}.
 */
class QueueWorkOfAnotherBindingTest {

    private final Kernel kernel = new Kernel(new KernelConfig(4, true), Clock.system());

    @AfterEach
    void shutDown() {
        kernel.close();
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aTimerCannotQueueTheWorkOfAnEarlierBinding(Policy policy) {
        kernel.driverCore().setPolicy(NovaCoreDriver.NAME, policy);
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
        var earlier = kernel.queueWork(gpu, new DriverWork.Spec(0, 0, Scope.DEVICE, Action.NOOP));
        await().atMost(Duration.ofSeconds(5)).until(() -> earlier.executions() == 1);
        kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu);
        kernel.driverCore().bind(NovaCoreDriver.NAME, gpu);

        var refused = catchThrowableOfType(KernelException.class, () -> kernel.armTimer(gpu, new DriverTimer.Spec(
                TimerMode.PERIODIC, 0, 1_000_000, Scope.DEVICE, Action.QUEUE_WORK, Optional.of(earlier))));
        assertThat(refused).as("arming a timer on the work of an earlier binding").isNotNull();
        assertThat(refused.errno()).isEqualTo(Errno.EINVAL);
        assertThat(refused).hasMessageContaining("earlier binding");
        await().pollDelay(Duration.ofMillis(50)).atMost(Duration.ofSeconds(1)).until(() -> true);

        assertThat(earlier.executions()).as("runs of the earlier binding's work after its unbind").isOne();
        assertThat(kernel.sanitizer().violations()).filteredOn(v -> v.outcome() == Outcome.OCCURRED).isEmpty();
    }
}
