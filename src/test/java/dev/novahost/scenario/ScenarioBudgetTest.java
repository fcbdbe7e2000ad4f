package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Item 4 of issue 13: a scenario that would run without end, or produce more than anyone can hold, is
 * stopped by its budget where it is and named for it; a period under 10 µs is refused before anything
 * runs; the budget never changes what a run within it produces.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ScenarioBudgetTest {

    private static final String DEVICE = "{'op':'create-device','chipset':'GA102','address':'0000:01:00.0'}";
    private static final String LOAD = "{'op':'load'}";

    /** Before the budgets these runs never ended; now each is stopped well inside this. */
    private static final Duration BOUND = Duration.ofSeconds(20);

    /** A 10 µs periodic timer, then one advance of 10^18 ns: 10^14 expiries if nothing stopped it. */
    private static final Scenario ENDLESS = scenario("endless", DEVICE, LOAD,
            "{'op':'arm-timer','device':'0000:01:00.0','mode':'periodic','delayNs':0,'periodNs':10000,'as':'t'}",
            "{'op':'advance','ns':1000000000000000000}");

    @Test
    void aPeriodUnderTenMicrosecondsIsRefusedBeforeAnythingRuns() {
        for (long period : new long[] {0, 1, 9_999}) {
            var refused = catchThrowableOfType(ScenarioException.class, () -> scenario("fast", DEVICE, LOAD,
                    "{'op':'arm-timer','device':'0000:01:00.0','mode':'periodic','delayNs':0,'periodNs':" + period + "}"));

            assertThat(refused.step()).isEqualTo(2);
            assertThat(refused).hasMessageContaining("at least 10000 ns").hasMessageContaining("was " + period);
            var kernelSays = catchThrowableOfType(KernelException.class, () -> new DriverTimer.Spec(TimerMode.PERIODIC,
                    0, period, Scope.DEVICE, Action.NOOP, Optional.empty()));
            assertThat(kernelSays.errno()).as("the kernel's own rule, which the live API asks too").isEqualTo(Errno.EINVAL);
            assertThat(refused.getMessage()).isEqualTo("step 2: " + kernelSays.getMessage());
        }
    }

    @Test
    void anAdvanceOfTenToTheEighteenIsStoppedByTheEventBudgetQuickly() {
        var runner = new ScenarioRunner(budget(50_000, Duration.ofMinutes(1), 1L << 30));
        long start = System.nanoTime();

        var over = assertTimeoutPreemptively(BOUND, () -> catchThrowableOfType(ScenarioOverrun.class,
                () -> runner.run(ENDLESS, Optional.empty())));

        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("item 4: the 10 us timer with a 10^18 ns advance was stopped after %d ms: %s%n", millis,
                over.getMessage());
        assertThat(over.budget()).isEqualTo(ScenarioBudget.Kind.EVENTS);
        assertThat(over.limit()).isEqualTo(50_000);
        assertThat(over.reached().step()).as("stopped inside the advance").isEqualTo(3);
        assertThat(over.reached().events()).isEqualTo(50_001);
        assertThat(over.reached().virtualNs()).as("virtual time got no further than the events took")
                .isBetween(1L, 50_000L * 10_000);
        assertThat(over).hasMessageContaining("events budget of 50000").hasMessageContaining("step 3");
        assertThat(millis).isLessThan(10_000);
    }

    /** Each run queues it again at once: time never moves, and the advance would never return. */
    @Test
    void aWorkItemThatRequeuesItselfWithoutEndAtOneInstantIsStopped() {
        var runner = new ScenarioRunner(budget(20_000, Duration.ofMinutes(1), 1L << 30));
        var requeues = scenario("requeues", DEVICE, LOAD,
                "{'op':'queue-work','device':'0000:01:00.0','requeue':1000000000000000000}",
                "{'op':'advance','ns':1}");

        var over = assertTimeoutPreemptively(BOUND, () -> catchThrowableOfType(ScenarioOverrun.class,
                () -> runner.run(requeues, Optional.empty())));

        assertThat(over.budget()).isEqualTo(ScenarioBudget.Kind.EVENTS);
        assertThat(over.reached().step()).isEqualTo(3);
        assertThat(over.reached().virtualNs()).isZero();
    }

    @Test
    void theWallTimeBudgetStopsARunWhoseEventsWouldTakeLonger() {
        var runner = new ScenarioRunner(budget(ScenarioBudget.EVENTS_CEILING, Duration.ofMillis(200), 1L << 30));
        long start = System.nanoTime();

        var over = assertTimeoutPreemptively(BOUND, () -> catchThrowableOfType(ScenarioOverrun.class,
                () -> runner.run(ENDLESS, Optional.empty())));

        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(over.budget()).isEqualTo(ScenarioBudget.Kind.WALL_TIME);
        assertThat(over.budget().errno().name()).isEqualTo("ETIMEDOUT");
        assertThat(over.limit()).isEqualTo(200);
        assertThat(over.reached().elapsedMillis()).isGreaterThanOrEqualTo(200);
        assertThat(over.reached().events()).isPositive().isLessThan(ScenarioBudget.EVENTS_CEILING);
        assertThat(millis).as("stopped soon after its 200 ms").isLessThan(5_000);
    }

    @Test
    void aResultOverTheSizeBudgetIsRefusedNotTruncated() {
        var runner = new ScenarioRunner(budget(100_000, Duration.ofMinutes(1), 4_096));

        var over = catchThrowableOfType(ScenarioOverrun.class,
                () -> runner.run(Scenarios.named("timer-fires-after-unbind").orElseThrow(), Optional.empty()));

        assertThat(over.budget()).isEqualTo(ScenarioBudget.Kind.RESULT_BYTES);
        assertThat(over.reached().resultBytes()).isGreaterThan(4_096);
        assertThat(over.reached().step()).as("every step ran; the result was being written").isEqualTo(10);
    }

    @Test
    void aScenarioWithMoreStepsThanTheBudgetDoesNotStart() {
        var runner = new ScenarioRunner(new ScenarioBudget(5, 100_000, Duration.ofMinutes(1), 1L << 30));

        var over = catchThrowableOfType(ScenarioOverrun.class,
                () -> runner.run(Scenarios.named("timer-fires-after-unbind").orElseThrow(), Optional.empty()));

        assertThat(over.budget()).isEqualTo(ScenarioBudget.Kind.STEPS);
        assertThat(over.reached().events()).isZero();
    }

    /** Each run of this scenario writes the same events; a comparison's two runs share one budget. */
    @Test
    void aComparisonsRunsShareOneBudget() {
        var scenario = Scenarios.named("timer-fires-after-unbind").orElseThrow();
        int oneRun = new ScenarioRunner().run(scenario, Optional.of(Policy.FENCED)).events().size();
        int bothRuns = oneRun + new ScenarioRunner().run(scenario, Optional.of(Policy.REVOCABLE)).events().size();
        var runner = new ScenarioRunner(budget(Math.max(16, bothRuns - 1), Duration.ofMinutes(1), 1L << 30));

        assertThat(runner.run(scenario, Optional.of(Policy.FENCED)).passed()).as("one run fits").isTrue();
        var over = catchThrowableOfType(ScenarioOverrun.class,
                () -> runner.compare(scenario, List.of(Policy.FENCED, Policy.REVOCABLE)));

        assertThat(over.budget()).isEqualTo(ScenarioBudget.Kind.EVENTS);
        assertThat(over.reached().events()).isEqualTo(bothRuns);
    }

    @Test
    void aPolicyNamedTwiceRunsOnce() {
        var scenario = Scenarios.named("timer-fires-after-unbind").orElseThrow();

        var compared = new ScenarioRunner().compare(scenario, List.of(Policy.FENCED, Policy.FENCED, Policy.FENCED));

        assertThat(compared.runs()).containsOnlyKeys("fenced");
    }

    @Test
    void pastItsSlotsARunIsRefusedAtOnce() {
        var slots = new RunSlots(1);
        var runner = new ScenarioRunner(ScenarioBudget.DEFAULTS, slots);
        var scenario = Scenarios.named("timer-fires-after-unbind").orElseThrow();

        try (var held = slots.take()) {
            assertThatThrownBy(() -> runner.run(scenario, Optional.empty())).isInstanceOf(RunSlots.Busy.class)
                    .hasMessageContaining("all 1 scenario run slots are taken");
            assertThatThrownBy(() -> runner.compare(scenario, List.of(Policy.FENCED))).isInstanceOf(RunSlots.Busy.class);
        }
        assertThat(runner.run(scenario, Optional.empty()).passed()).as("the slot is back").isTrue();
        assertThat(runner.run(scenario, Optional.empty()).passed()).as("and given back after each run").isTrue();
    }

    /** The digest is still the SHA-256 of the result's JSON: streaming it past the size budget changed no byte. */
    @Test
    void theDefaultBudgetLeavesEveryBuiltInAndItsDigestAsTheyWere() throws Exception {
        var runner = new ScenarioRunner();
        for (var scenario : Scenarios.all()) {
            for (Policy policy : Policy.values()) {
                var result = runner.run(scenario, Optional.of(policy));
                byte[] json = Scenario.JSON.writeValueAsString(result.withDigest("")).getBytes(StandardCharsets.UTF_8);
                String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));

                assertThat(result.passed()).as("%s under %s", scenario.name(), policy).isTrue();
                assertThat(result.digest()).as("%s under %s", scenario.name(), policy).isEqualTo(digest);
            }
        }
    }

    private static ScenarioBudget budget(int events, Duration wallTime, long resultBytes) {
        return new ScenarioBudget(ScenarioBudget.DEFAULTS.maxSteps(), events, wallTime, resultBytes);
    }

    private static Scenario scenario(String name, String... steps) {
        return Scenario.parse(("{'name':'" + name + "','steps':[" + String.join(",", steps) + "]}").replace('\'', '"'));
    }
}
