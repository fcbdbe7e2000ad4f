package dev.novahost.kernel.novacore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.FaultAttr;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.sanitizer.Violation;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An injection shows where it happened: at {@code verbose} 1 a {@code fault.injected} line in the object's
 * own timeline, so the violation it leads to says "injected here"; at 2 the line also says the timeline
 * so far; at 0 nothing is logged, yet the injection is counted and the bug still bites.
 */
class InjectionTimelineTest {

    private static final long HOUR_NS = 3_600_000_000_000L;

    @RegisterExtension
    final TestHost host = TestHost.boot();

    private Violation forgetOneCancel(int verbose) {
        host.usePolicy(Policy.FENCED);
        host.inject(new Faults(Map.of(Fault.FORGET_TIMER_CANCEL, new FaultAttr(100, 1, -1, 0, verbose, Optional.empty())),
                Map.of(), Optional.empty(), OptionalLong.of(1)));
        var gpu = host.plugGpu();
        host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, HOUR_NS, 0, Scope.DEVICE, Action.NOOP,
                Optional.empty()));
        host.unbind(gpu);
        return host.kernel().sanitizer().violations().stream()
                .filter(v -> v.kind() == ViolationKind.TIMER_FREE_ACTIVE).findFirst().orElseThrow();
    }

    @Test
    void atVerbose1TheViolationsTimelineShowsTheInjectionAtTheTimer() {
        var violation = forgetOneCancel(1);

        var injected = violation.timeline().stream().filter(e -> e.type().equals("fault.injected")).toList();
        assertThat(injected).hasSize(1);
        assertThat(injected.getFirst().event().message()).isEqualTo(
                "FAULT_INJECTION: forcing a failure: forgetTimerCancel at hrtimer_cancel(" + violation.object() + "), injection 1");
        assertThat(injected.getFirst().device()).isEqualTo(violation.device());
    }

    @Test
    void atVerbose2TheLineSaysTheTimelineSoFar() {
        var violation = forgetOneCancel(2);

        String line = violation.timeline().stream().filter(e -> e.type().equals("fault.injected")).findFirst()
                .map(LogEntry::event).orElseThrow().message();
        String timer = violation.object();
        assertThat(line).startsWith("FAULT_INJECTION: forcing a failure: forgetTimerCancel at hrtimer_cancel(" + timer
                + "), injection 1; timeline: timer.created " + timer + ", timer.armed " + timer + ", driver.remove");
    }

    @Test
    void atVerbose0NothingIsLoggedButTheInjectionCountsAndBites() {
        var violation = forgetOneCancel(0);

        assertThat(violation.timeline()).noneMatch(e -> e.type().equals("fault.injected"));
        assertThat(host.kernel().log().since(0, 10_000)).noneMatch(e -> e.type().equals("fault.injected"));
        assertThat(host.kernel().faultInjector().injected("forgetTimerCancel")).isEqualTo(1);
    }

    /**
     * forgetIrqFree is asked once per remove(): with {@code space} 1 the first remove() frees the handler
     * itself (revocable: probe left it unmanaged, so remove() must), the second forgets it and devres saves it.
     */
    @Test
    void forgetIrqFreeLetsTheFirstRemovePassAndForgetsAtTheSecond() {
        host.usePolicy(Policy.REVOCABLE);
        host.inject(new Faults(Map.of(Fault.FORGET_IRQ_FREE, new FaultAttr(100, 1, -1, 1, 1, Optional.empty())),
                Map.of(), Optional.empty(), OptionalLong.of(1)));
        var gpu = host.plugGpu();

        host.unbind(gpu);
        assertThat(host.seen()).isEmpty();
        assertThat(host.logged(gpu, "irq " + gpu, "irq.freed")).isTrue();

        host.bind(gpu);
        host.unbind(gpu);
        assertThat(host.seen()).containsExactly(TestHost.Seen.prevented(ViolationKind.IRQ_AFTER_REMOVE));
        assertThat(host.kernel().faultInjector().injected("forgetIrqFree")).isEqualTo(1);
    }
}
