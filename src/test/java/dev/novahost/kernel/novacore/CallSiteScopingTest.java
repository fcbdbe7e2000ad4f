package dev.novahost.kernel.novacore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.CallSite;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.FaultAttr;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.timer.HrTimer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A fault's {@code site} (issue 17: Linux's require-start/end narrowed to the model's call sites): each
 * call site passes its own, and a call from another site is not eligible and counts nowhere.
 * {@code forgetTimerCancel} at {@code module_exit} forgets a module-scope timer's cancel at unload but not
 * a device timer's at unbind; at {@code remove}, the reverse.
 */
class CallSiteScopingTest {

    private static final long HOUR_NS = 3_600_000_000_000L;
    private static final Duration NO_HANG = Duration.ofSeconds(10);

    @RegisterExtension
    private final TestHost host = TestHost.boot();

    /** The objects whose calls were injected ({@code hrtimer_cancel(timer 2)}), oldest first. */
    private List<String> injectedAt() {
        return host.kernel().log().since(0, 100_000).stream().filter(e -> e.type().equals("fault.injected"))
                .map(e -> e.object()).toList();
    }

    private void forgetTimerCancelAt(CallSite site) {
        // space 0, times -1: without the site filter both cancels would be forgotten
        host.inject(new Faults(Map.of(Fault.FORGET_TIMER_CANCEL, FaultAttr.ALWAYS.at(site)), Map.of(),
                Optional.empty(), OptionalLong.of(1)));
    }

    private DriverTimer timer(dev.novahost.kernel.pci.PciAddress gpu, Scope scope) {
        return host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, HOUR_NS, 0, scope, Action.NOOP,
                Optional.empty()));
    }

    @Test
    void atModuleExitTheModuleTimersCancelIsForgottenAtUnloadButNotTheDeviceTimersAtUnbind() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            host.usePolicy(Policy.REVOCABLE);
            forgetTimerCancelAt(CallSite.MODULE_EXIT);
            var gpu = host.plugGpu();
            var device = timer(gpu, Scope.DEVICE);
            var module = timer(gpu, Scope.MODULE);

            host.unbind(gpu);

            assertThat(device.state()).as("remove() cancelled it").isEqualTo(HrTimer.State.CANCELLED);
            assertThat(injectedAt()).as("remove()'s cancel is not eligible").isEmpty();
            assertThat(host.kernel().faultInjector().injected("forgetTimerCancel")).isZero();

            host.kernel().unload(TestHost.NOVA_CORE, UnloadMode.PIN);

            assertThat(injectedAt()).containsExactly("hrtimer_cancel(" + module.name() + ")");
            assertThat(host.kernel().faultInjector().injected("forgetTimerCancel")).isEqualTo(1);
            assertThat(module.isActive()).as("module exit forgot it").isTrue();
        });
    }

    @Test
    void atRemoveTheDeviceTimersCancelIsForgottenAtUnbindButNotTheModuleTimersAtUnload() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            host.usePolicy(Policy.REVOCABLE);
            forgetTimerCancelAt(CallSite.REMOVE);
            var gpu = host.plugGpu();
            var device = timer(gpu, Scope.DEVICE);
            var module = timer(gpu, Scope.MODULE);

            host.unbind(gpu);

            assertThat(injectedAt()).containsExactly("hrtimer_cancel(" + device.name() + ")");

            host.kernel().unload(TestHost.NOVA_CORE, UnloadMode.PIN);

            assertThat(module.state()).as("module exit cancelled it").isEqualTo(HrTimer.State.CANCELLED);
            assertThat(injectedAt()).as("module exit's cancel is not eligible").hasSize(1);
            assertThat(host.kernel().faultInjector().injected("forgetTimerCancel")).isEqualTo(1);
        });
    }
}
