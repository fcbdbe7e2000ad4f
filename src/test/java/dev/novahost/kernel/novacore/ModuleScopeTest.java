package dev.novahost.kernel.novacore;

import dev.novahost.kernel.work.WorkItem;
import dev.novahost.kernel.fault.Faults;
import static dev.novahost.kernel.novacore.TestHost.Seen.occurred;
import static dev.novahost.kernel.novacore.TestHost.Seen.prevented;
import static dev.novahost.kernel.novacore.TestHost.eventually;
import static dev.novahost.kernel.sanitizer.ViolationKind.MMIO_AFTER_REVOKE;
import static dev.novahost.kernel.sanitizer.ViolationKind.WORK_AFTER_REMOVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.Violation;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.timer.HrTimer;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Module-scope timers and work (a {@code KBox} in the module struct): legal as long as they touch no
 * device resource after unbind. Under {@code revocable} they outlive the binding and each BAR access
 * they make is refused; under {@code fenced} remove() shoots down those that use the device. Module
 * exit stops them and destroys the module's workqueue.
 */
class ModuleScopeTest {

    private static final long MS = 1_000_000L;
    private static final Duration NO_HANG = Duration.ofSeconds(10);

    @RegisterExtension
    private final TestHost host = TestHost.boot();

    @Test
    void underRevocableAModuleTimerLivesOnAndEveryAccessIsRefused() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu();
            var timer = host.kernel().armTimer(gpu, moduleTimer(Action.TOUCH_BAR));

            host.unbind(gpu);

            eventually().until(() -> refusals(timer) >= 3);
            assertThat(timer.state()).as("still firing").isIn(HrTimer.State.ARMED, HrTimer.State.RUNNING);
            assertThat(host.seen()).containsExactly(prevented(MMIO_AFTER_REVOKE));

            host.kernel().unload(TestHost.NOVA_CORE, UnloadMode.PIN);

            assertThat(timer.state()).as("module exit stopped it").isEqualTo(HrTimer.State.CANCELLED);
            host.assertTimelinesStartAtCreation();
        });
    }

    @Test
    void underFencedRemoveShootsDownTheModuleObjectsThatUseTheDevice() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            host.usePolicy(Policy.FENCED);
            var gpu = host.plugGpu();
            var timer = host.kernel().armTimer(gpu, moduleTimer(Action.TOUCH_BAR));
            var work = host.kernel().queueWork(gpu, new DriverWork.Spec(200 * MS, 0, Scope.MODULE, Action.TOUCH_BAR));

            host.unbind(gpu);

            assertThat(timer.state()).isEqualTo(HrTimer.State.CANCELLED);
            assertThat(work.state()).isEqualTo(WorkItem.State.IDLE);
            assertThat(host.seen()).isEmpty();
        });
    }

    @Test
    void underFencedAForgottenModuleTimerReachesTheUnmappedBarOnceAndStops() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            host.usePolicy(Policy.FENCED);
            host.inject(TestHost.forgetTimerCancel());
            var gpu = host.plugGpu();
            var timer = host.kernel().armTimer(gpu, moduleTimer(Action.TOUCH_BAR));

            host.unbind(gpu);

            host.awaitSeen(occurred(MMIO_AFTER_REVOKE));
            eventually().until(() -> !timer.isActive());
            assertThat(host.seen()).containsExactly(occurred(MMIO_AFTER_REVOKE));
            assertThat(violation(MMIO_AFTER_REVOKE, timer).count()).isEqualTo(1);
        });
    }

    /**
     * {@code destroy_workqueue} does not wait for delayed work whose timer has not fired: module exit
     * that forgot to cancel it leaves the timer to queue onto a dead queue.
     */
    @ParameterizedTest(name = "forgetWorkCancel {0}")
    @ValueSource(booleans = {false, true})
    void delayedModuleWorkOutlivingModuleExitFindsItsQueueDestroyed(boolean forgetWorkCancel) {
        assertTimeoutPreemptively(NO_HANG, () -> {
            host.inject(forgetWorkCancel ? TestHost.forgetWorkCancel() : Faults.NONE);
            var gpu = host.plugGpu();
            var work = host.kernel().queueWork(gpu, new DriverWork.Spec(50 * MS, 0, Scope.MODULE, Action.NOOP));

            host.kernel().unload(TestHost.NOVA_CORE, UnloadMode.PIN);

            if (forgetWorkCancel) {
                host.awaitSeen(occurred(WORK_AFTER_REMOVE));
                assertThat(host.seen()).containsExactly(occurred(WORK_AFTER_REMOVE));
                assertThat(host.logged(gpu, work.name(), "work.dead-queue")).isTrue();
                assertThat(work.executions()).isZero();
                host.assertTimelinesStartAtCreation();
            } else {
                assertThat(work.state()).isEqualTo(WorkItem.State.IDLE);
                assertThat(host.seen()).isEmpty();
            }
        });
    }

    private long refusals(DriverTimer timer) {
        return host.kernel().sanitizer().violations().stream()
                .filter(v -> v.object().equals(timer.name()) && v.outcome() == Outcome.PREVENTED)
                .mapToLong(Violation::count).sum();
    }

    private Violation violation(ViolationKind kind, DriverObject object) {
        return host.kernel().sanitizer().violations().stream()
                .filter(v -> v.kind() == kind && v.object().equals(object.name())).findFirst().orElseThrow();
    }

    private static DriverTimer.Spec moduleTimer(Action action) {
        return new DriverTimer.Spec(TimerMode.PERIODIC, 2 * MS, 2 * MS, Scope.MODULE, action, Optional.empty());
    }
}
