package dev.novahost.kernel;

import dev.novahost.kernel.machine.Kernel;
import static dev.novahost.kernel.novacore.TestHost.NOVA_CORE;
import static dev.novahost.kernel.novacore.TestHost.PATIENCE;
import static dev.novahost.kernel.novacore.TestHost.Seen.occurred;
import static dev.novahost.kernel.novacore.TestHost.Seen.prevented;
import static dev.novahost.kernel.novacore.TestHost.errnoOf;
import static dev.novahost.kernel.novacore.TestHost.eventually;
import static dev.novahost.kernel.sanitizer.ViolationKind.EXEC_AFTER_UNLOAD;
import static dev.novahost.kernel.sanitizer.ViolationKind.TIMER_AFTER_REMOVE;
import static dev.novahost.kernel.sanitizer.ViolationKind.TIMER_FREE_ACTIVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.module.ModuleState;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TestHost;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.timer.HrTimer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The three cases the nova-core thread argued about, each as the kernel would tell it: a timer that
 * fires after unbind, a module unloaded while a timer callback is pending, and a misc device whose open
 * file keeps the module pinned.
 */
class SeedThreadTest {

    private static final long MS = 1_000_000L;
    private static final Duration NO_HANG = Duration.ofSeconds(10);

    @RegisterExtension
    private final TestHost host = TestHost.boot();
    private final Kernel kernel = host.kernel();

    /**
     * remove() forgets {@code hrtimer_cancel}. Rust's {@code Devres}: dropping the driver data cancels
     * the timer, so it never fires (prevented). C: the timer fires into the freed driver data (occurred).
     */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void timerFiresAfterUnbind(Policy policy) {
        assertTimeoutPreemptively(NO_HANG, () -> {
            host.usePolicy(policy);
            host.inject(TestHost.forgetTimerCancel());
            var gpu = host.plugGpu();
            var timer = kernel.armTimer(gpu, new DriverTimer.Spec(TimerMode.PERIODIC, 50 * MS, 50 * MS, Scope.DEVICE,
                    Action.READ_PTIMER, Optional.empty()));

            host.unbind(gpu);

            if (policy.revokesAtUnbind()) {
                assertThat(timer.state()).isEqualTo(HrTimer.State.CANCELLED);
                assertThat(host.seen()).containsExactly(prevented(TIMER_FREE_ACTIVE));
            } else {
                host.awaitSeen(occurred(TIMER_AFTER_REMOVE));
                assertThat(host.seen()).containsExactlyInAnyOrder(occurred(TIMER_FREE_ACTIVE),
                        occurred(TIMER_AFTER_REMOVE));
                assertThat(kernel.sanitizer().taints()).contains(TIMER_AFTER_REMOVE);
            }
            host.assertTimelinesStartAtCreation();
        });
    }

    /**
     * A module-scope timer's callback is in flight when rmmod runs, and module_exit forgets to cancel
     * it: the text is freed under the callback, which then fetches its next instruction from freed memory.
     */
    @Test
    void moduleUnloadedWhileTimerCallbackPending() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            host.inject(TestHost.forgetTimerCancel());
            var gpu = host.plugGpu();
            var timer = kernel.armTimer(gpu, new DriverTimer.Spec(TimerMode.PERIODIC, MS, MS, Scope.MODULE,
                    Action.NOOP, Optional.empty()));
            var callback = timer.holdNextCallback();
            assertThat(callback.awaitEntered(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            kernel.unload(NOVA_CORE, UnloadMode.PIN);
            callback.release();

            host.awaitSeen(occurred(EXEC_AFTER_UNLOAD));
            eventually().until(() -> !timer.isActive());
            assertThat(host.seen()).containsExactly(occurred(EXEC_AFTER_UNLOAD));
            assertThat(kernel.sanitizer().taints()).contains(EXEC_AFTER_UNLOAD);
            host.assertTimelinesStartAtCreation();
        });
    }

    /** Greg KH's answer: {@code fops.owner} pins the module; rmmod says it is in use and changes nothing. */
    @Test
    void miscDeviceKeepsModulePinnedWhileFileOpen() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu();
            var novaCore = kernel.module(NOVA_CORE);
            var file = kernel.openFile(gpu);

            assertThat(errnoOf(() -> kernel.unload(NOVA_CORE, UnloadMode.PIN))).isEqualTo(Errno.EWOULDBLOCK);

            assertThat(novaCore.state()).isEqualTo(ModuleState.LIVE);
            assertThat(novaCore.refcount()).isEqualTo(1);
            assertThat(novaCore.generation()).isEqualTo(1);
            assertThat(host.isBound(gpu)).isTrue();
            assertThat(file.read(Bar0.NV_PMC_BOOT_0)).as("the file still works").isEqualTo(0x172000a1);

            kernel.novaCoreObjects().closeFile(file.fd());
            kernel.unload(NOVA_CORE, UnloadMode.PIN);

            assertThat(novaCore.state()).isEqualTo(ModuleState.UNLOADED);
            assertThat(novaCore.refcount()).isZero();
            assertThat(host.seen()).isEmpty();
        });
    }
}
