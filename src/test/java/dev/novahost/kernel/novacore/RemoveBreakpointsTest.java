package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.fault.RemoveOrder;
import dev.novahost.kernel.fault.RemoveStep;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.task.Breakpoints;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every step of remove() is a breakpoint named by its word (issue 18): a written order's steps and the
 * built-in order's alike, so a reproducer can hold the unbind between two of them.
 */
class RemoveBreakpointsTest {

    private static final Duration NO_HANG = Duration.ofSeconds(10);

    @RegisterExtension
    private final TestHost host = TestHost.boot();

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aWrittenOrderIsHeldAtTheStepItNames(Policy policy) {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu(policy);
            host.inject(Faults.NONE.withRemove(RemoveOrder.of(List.of(RemoveStep.parse("free_irq"),
                    RemoveStep.parse("pci_iounmap"), RemoveStep.parse("hrtimer_cancel")))));

            holdAndRelease(gpu, "remove:pci_iounmap", () -> {
                assertThat(host.logged(gpu, "", "driver.remove-step")).as("free_irq ran").isTrue();
                assertThat(host.logged(gpu, "irq " + gpu, "irq.freed")).isTrue();
                assertThat(host.logged(gpu, "", "driver.removed")).isFalse();
                assertThat(removeSteps(gpu)).as("pci_iounmap not yet logged").hasSize(1);
            });
            assertThat(removeSteps(gpu)).hasSize(3);
        });
    }

    /** The built-in order reaches its steps' breakpoints by the same words. */
    @Test
    void theBuiltInOrderIsHeldAtItsStepsToo() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            host.usePolicy(Policy.FENCED);
            var gpu = host.plugGpu();
            holdAndRelease(gpu, "remove:hrtimer_cancel", () -> {
                assertThat(host.logged(gpu, "irq " + gpu, "irq.freed")).isTrue();
                assertThat(host.logged(gpu, "", "driver.removed")).isFalse();
            });
            assertThat(removeSteps(gpu)).as("the built-in order logs no written steps").isEmpty();

            host.bind(gpu);
            holdAndRelease(gpu, "remove:cancel_work_sync", () -> { });
        });
    }

    private void holdAndRelease(PciAddress gpu, String step, Runnable whileHeld) throws Exception {
        var hold = host.kernel().breakpoints().holdAt(Breakpoints.point(gpu.toString(), step));
        var unbind = host.unbindElsewhere(gpu);
        assertThat(hold.awaitEntered(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("held at %s", step).isTrue();
        assertThat(unbind).isNotDone();
        whileHeld.run();
        hold.release();
        unbind.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(host.isBound(gpu)).isFalse();
    }

    private List<String> removeSteps(PciAddress gpu) {
        return host.kernel().log().since(0, Integer.MAX_VALUE).stream()
                .filter(e -> e.device().equals(gpu.toString()) && e.type().equals("driver.remove-step"))
                .map(e -> e.message()).toList();
    }
}
