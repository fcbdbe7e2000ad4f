package dev.novahost.kernel.novacore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.FaultAttr;
import dev.novahost.kernel.fault.FaultInjector;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.Violation;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Seeded live runs inject exactly the failures their attributes say: on the real-time kernel, with a seed,
 * {@code forgetTimerCancel} at probability 50 over several timers and unbinds forgets the same cancels in
 * a second identical run, and each forgotten cancel is one injection counted and one violation seen.
 */
class SeededInjectionTest {

    private static final long HOUR_NS = 3_600_000_000_000L;
    private static final int TIMERS = 8;
    private static final int UNBINDS = 5;

    /** Which timers each unbind left armed, the injections counted and the violations seen. */
    record Run(List<List<String>> forgotten, long injections, long perKey, long violations, long injectedLines) {
    }

    private static Run run(long seed) {
        try (var host = TestHost.boot()) {
            host.usePolicy(Policy.FENCED);
            host.inject(new Faults(Map.of(Fault.FORGET_TIMER_CANCEL, new FaultAttr(50, 1, -1, 0, 1, Optional.empty())),
                    Map.of(), Optional.empty(), OptionalLong.of(seed)));
            var gpu = host.plugGpu();
            var forgotten = new ArrayList<List<String>>();
            for (int round = 0; round < UNBINDS; round++) {
                if (round > 0) {
                    host.bind(gpu);
                }
                var timers = new ArrayList<DriverTimer>();
                for (int i = 0; i < TIMERS; i++) {
                    timers.add(host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, HOUR_NS, 0,
                            Scope.DEVICE, Action.NOOP, Optional.empty())));
                }
                host.unbind(gpu);
                forgotten.add(timers.stream().filter(DriverTimer::isActive).map(DriverTimer::name).toList());
            }
            var injector = host.kernel().faultInjector();
            long violations = host.kernel().sanitizer().violations().stream()
                    .filter(v -> v.kind() == ViolationKind.TIMER_FREE_ACTIVE && v.outcome() == Outcome.OCCURRED)
                    .mapToLong(Violation::count).sum();
            long lines = host.kernel().log().since(0, 100_000).stream().filter(e -> e.type().equals("fault.injected")).count();
            return new Run(forgotten, injector.injected("forgetTimerCancel"),
                    injector.injected(new FaultInjector.Key("forgetTimerCancel", "hrtimer_cancel")), violations, lines);
        }
    }

    @Test
    void aSeededLiveRunForgetsTheSameCancelsTwiceAndEachIsCountedAndSeen() {
        var first = run(1234);
        var second = run(1234);

        long forgotten = first.forgotten().stream().mapToLong(List::size).sum();
        assertThat(second).isEqualTo(first);
        assertThat(forgotten).as("probability 50 over %d cancels", TIMERS * UNBINDS).isBetween(1L, TIMERS * UNBINDS - 1L);
        assertThat(first.injections()).isEqualTo(forgotten);
        assertThat(first.perKey()).isEqualTo(forgotten);
        assertThat(first.violations()).isEqualTo(forgotten);
        assertThat(first.injectedLines()).as("verbose 1: one line per injection").isEqualTo(forgotten);
    }

    @Test
    void anotherSeedForgetsOtherCancels() {
        assertThat(run(1).forgotten()).isNotEqualTo(run(2).forgotten());
    }
}
