package dev.novahost.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.scenario.Scenario;
import dev.novahost.scenario.ScenarioRunner;
import dev.novahost.scenario.Scenarios;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The explorer on built-in races: the policies compared by enumeration, every violating outcome with a
 * reproducer that replays to the digest it names, the same answer every time and on any number of
 * threads, and the request's limits.
 */
class ExplorerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<Policy> BOTH = List.of(Policy.REVOCABLE, Policy.FENCED);

    private final ScenarioRunner runner = new ScenarioRunner();
    private final Explorer explorer = new Explorer(runner, 2, Duration.ofMinutes(2));

    static JsonNode builtIn(String name) {
        return JSON.readTree(Scenarios.source(name).orElseThrow());
    }

    @Test
    void underFencedSomeSchedulesOfAForgottenCancelFreeAnArmedTimerUnderRevocableNone() {
        var exploration = explorer.explore(builtIn("timer-fires-after-unbind"), BOTH, 2, 10_000);

        var revocable = exploration.policies().get(0);
        var fenced = exploration.policies().get(1);
        assertThat(revocable.policy()).isEqualTo("revocable");
        assertThat(revocable.complete()).isTrue();
        assertThat(revocable.violating()).isZero();
        assertThat(fenced.violating()).isPositive();
        assertThat(fenced.outcomes()).anySatisfy(outcome -> {
            assertThat(outcome.violating()).isTrue();
            assertThat(outcome.violations()).contains("timer_free_active:occurred");
        });
        assertThat(exploration.headline()).startsWith("unbind 0000:01:00.0: under revocable, 0 of " + revocable.explored()
                + " schedules end in a violation or deadlock; under fenced, " + fenced.violating() + " of " + fenced.explored()
                + " (timer_after_remove, timer_free_active)");
    }

    @Test
    void everyReproducerReplaysThroughTheRunnerToTheDigestItNamesAndItsExpectationHolds() {
        var exploration = explorer.explore(builtIn("hrtimer-dropped-with-device-data"), BOTH, 2, 10_000);

        var violating = exploration.policies().stream().flatMap(p -> p.outcomes().stream())
                .filter(Exploration.Outcome::violating).toList();
        assertThat(violating).isNotEmpty();
        for (var outcome : violating) {
            var replay = runner.run(Scenario.parse(outcome.reproducer()), Optional.empty());
            assertThat(replay.passed()).as(outcome.outcome()).isTrue();
            assertThat(replay.digest()).isEqualTo(outcome.digest());
            assertThat(outcome.schedule()).isNotEmpty();
        }
    }

    @Test
    void theSameScenarioBoundAndBudgetGiveAByteIdenticalExplorationOnOneThreadOrTwo() {
        var scenario = builtIn("timer-requeues-cancelled-work");
        var once = JSON.writeValueAsString(explorer.explore(scenario, BOTH, 2, 10_000));
        var again = JSON.writeValueAsString(explorer.explore(scenario, BOTH, 2, 10_000));
        var oneThread = JSON.writeValueAsString(new Explorer(runner, 1, Duration.ofMinutes(2)).explore(scenario, BOTH, 2, 10_000));

        assertThat(again).isEqualTo(once);
        assertThat(oneThread).isEqualTo(once);
    }

    @Test
    void aBudgetBelowTheScheduleCountExploresTheShortestSchedulesAndSaysItIsIncomplete() {
        var full = explorer.explore(builtIn("timer-fires-after-unbind"), List.of(Policy.FENCED), 2, 10_000).policies().getFirst();
        var cut = explorer.explore(builtIn("timer-fires-after-unbind"), List.of(Policy.FENCED), 2, 2).policies().getFirst();

        assertThat(full.schedules()).isGreaterThan(2);
        assertThat(cut.schedules()).isEqualTo(full.schedules());
        assertThat(cut.explored()).isEqualTo(2);
        assertThat(cut.complete()).isFalse();
    }

    /** The interrupt is armed however the scenario spells the register and the value it writes. */
    @Test
    void theInterruptIsARacingCallbackWhateverTheSpellingOfItsRegisterWrite() {
        String written = """
                {"steps": [
                  {"op": "create-device", "chipset": "GA102", "address": "0000:01:00.0"},
                  {"op": "load"},
                  {"op": "write-mmio", "device": "0000:01:00.0", "offset": "0x9420", "value": 1000000},
                  {"op": "write-mmio", "device": "0000:01:00.0", "offset": %s, "value": %s},
                  {"op": "unbind", "device": "0000:01:00.0"}]}""";
        var asNumbers = explorer.explore(JSON.readTree(written.formatted("37184", "1")), List.of(Policy.FENCED), 1, 100);
        var asText = explorer.explore(JSON.readTree(written.formatted("\" 0x9140 \"", "\"0x1\"")), List.of(Policy.FENCED), 1, 100);
        var disarmed = explorer.explore(JSON.readTree(written.formatted("\"0x9140\"", "\"0x0\"")), List.of(Policy.FENCED), 1, 100);

        assertThat(asText.policies().getFirst().schedules()).isEqualTo(asNumbers.policies().getFirst().schedules())
                .isGreaterThan(disarmed.policies().getFirst().schedules());
    }

    @Test
    void aBoundOrBudgetOutOfRangeOrAScenarioWithoutTeardownIsRefused() {
        var scenario = builtIn("timer-fires-after-unbind");
        assertThatThrownBy(() -> explorer.explore(scenario, BOTH, Explorer.MAX_BOUND + 1, 10)).isInstanceOf(KernelException.class)
                .hasMessageContaining("bound");
        assertThatThrownBy(() -> explorer.explore(scenario, BOTH, 2, 0)).isInstanceOf(KernelException.class)
                .hasMessageContaining("budget");
        assertThatThrownBy(() -> explorer.explore(builtIn("devres-unwind-on-failed-probe"), BOTH, 2, 10))
                .isInstanceOf(KernelException.class).hasMessageContaining("tears nothing down");
    }
}
