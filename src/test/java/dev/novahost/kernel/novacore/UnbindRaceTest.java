package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.PATIENCE;
import static dev.novahost.kernel.novacore.TestHost.errnoOf;
import static dev.novahost.kernel.novacore.TestHost.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.PciAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Users racing an unbind, placed exactly: a device timer's callback is held in flight, so remove()
 * stops at its cancel, and the test acts while remove() is half done.
 */
class UnbindRaceTest {

    private static final Duration NO_HANG = Duration.ofSeconds(10);
    private static final int GA102_A1_BOOT_0 = 0x172000a1;

    @RegisterExtension
    private final TestHost host = TestHost.boot();

    /** Unbind started on another CPU and now waits in remove() for the held callback; release it to go on. */
    private record HalfwayRemove(CallbackHold callback, CompletableFuture<Void> unbind) {

        void finish() throws Exception {
            callback.release();
            unbind.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private HalfwayRemove unbindUntilRemoveWaitsForACallback(PciAddress gpu) throws InterruptedException {
        var timer = host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.PERIODIC, 1_000_000, 1_000_000,
                Scope.DEVICE, Action.NOOP, Optional.empty()));
        var callback = timer.holdNextCallback();
        assertThat(callback.awaitEntered(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        var unbind = host.unbindElsewhere(gpu);
        host.awaitLogged(gpu, "", "driver.remove");
        return new HalfwayRemove(callback, unbind);
    }

    @Test
    void fencedRemoveDrainsTheMmioAttributeFirstAndARefusedAccessIsNoViolation() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            host.usePolicy(Policy.FENCED);
            var gpu = host.plugGpu();
            var remove = unbindUntilRemoveWaitsForACallback(gpu);

            eventually().until(() -> errnoOf(() -> host.kernel().mmio().read(gpu, Bar0.NV_PMC_BOOT_0)) == Errno.ENODEV);
            assertThat(host.seen()).as("a drained attribute is gone, as a disconnected file is").isEmpty();

            remove.finish();
            assertThat(host.seen()).isEmpty();
        });
    }

    @Test
    void underRevocableTheBarServesUntilTheDevresListRevokesIt() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu();
            var remove = unbindUntilRemoveWaitsForACallback(gpu);

            assertThat(host.kernel().mmio().read(gpu, Bar0.NV_PMC_BOOT_0)).isEqualTo(GA102_A1_BOOT_0);

            remove.finish();
            assertThat(errnoOf(() -> host.kernel().mmio().read(gpu, Bar0.NV_PMC_BOOT_0))).isEqualTo(Errno.ENODEV);
            assertThat(host.seen()).isEmpty();
        });
    }

    @Test
    void nothingNewIsAdmittedOnceRemoveHasBegun() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu();
            var kernel = host.kernel();
            var remove = unbindUntilRemoveWaitsForACallback(gpu);

            for (Scope scope : Scope.values()) {
                assertThat(errnoOf(() -> kernel.armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, 1_000, 0, scope,
                        Action.NOOP, Optional.empty())))).isEqualTo(Errno.ENODEV);
                assertThat(errnoOf(() -> kernel.queueWork(gpu, new DriverWork.Spec(0, 0, scope, Action.NOOP))))
                        .isEqualTo(Errno.ENODEV);
            }
            assertThat(errnoOf(() -> kernel.openFile(gpu))).isEqualTo(Errno.ENODEV);
            assertThat(kernel.module(TestHost.NOVA_CORE).refcount()).as("the refused open put its reference").isZero();

            remove.finish();
            assertThat(kernel.novaCoreObjects().table().timers()).isEmpty();
            assertThat(kernel.novaCoreObjects().table().works()).isEmpty();
            assertThat(host.seen()).isEmpty();
        });
    }
}
