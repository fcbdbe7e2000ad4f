package dev.novahost.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import dev.novahost.scenario.ScenarioRunner;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The partial-order reduction loses nothing: on every built-in race, under every policy, the reduced
 * schedule space ends in exactly the outcomes the full one does (every callback placed at every position),
 * at bound 1 for all of them and at the default bound 2 for the two with most callbacks and points. If
 * {@link Callback#dependsOn} left out a step some callback does not commute with, an outcome only a
 * placement after that step produces would be missing here.
 */
class ExplorerReductionTest {

    private final Explorer explorer = new Explorer(new ScenarioRunner(), 2, Duration.ofMinutes(5));

    static List<String> races() {
        return Explorer.builtInRaces();
    }

    @ParameterizedTest
    @MethodSource("races")
    void atBoundOneTheReducedSpaceEndsInTheOutcomesOfTheFullOne(String name) {
        assertSameOutcomes(name, 1);
    }

    @ParameterizedTest
    @MethodSource("deepest")
    void atBoundTwoToo(String name) {
        assertSameOutcomes(name, 2);
    }

    /**
     * A race only a placement just after a step the callback depends on shows: remove() unmaps BAR0 and
     * then frees the interrupt, and forgets the timer that reads BAR0. Fired between those two steps the
     * timer reads the unmapped BAR (fenced: mmio_after_revoke occurred, and the timer stops); fired before the unmap it reads
     * a mapped one, and after remove() returned it is stopped as timer_after_remove before it reads.
     */
    @ParameterizedTest
    @MethodSource("bounds")
    void aStateOnlyAPlacementAfterADependentStepReachesIsKept(int bound) {
        var scenario = JsonMapper.builder().build().readTree("""
                {"name": "unmap-then-free-irq", "steps": [
                  {"op": "create-device", "chipset": "GA102", "address": "0000:01:00.0"},
                  {"op": "load"},
                  {"op": "arm-timer", "device": "0000:01:00.0", "mode": "periodic", "delayNs": 1000000,
                   "periodNs": 1000000, "action": "touch-bar", "as": "t"},
                  {"op": "set-faults", "faults": {"remove": ["pci_iounmap", "free_irq"]}},
                  {"op": "unbind", "device": "0000:01:00.0"}]}""");
        var reduced = explorer.explore(scenario, List.of(Policy.FENCED), bound, Explorer.MAX_BUDGET, true);
        var full = explorer.explore(scenario, List.of(Policy.FENCED), bound, Explorer.MAX_BUDGET, false);

        assertThat(outcomes(full).get("fenced")).contains("mmio_after_revoke:occurred");
        assertThat(outcomes(reduced)).isEqualTo(outcomes(full));
        assertThat(reduced.policies().getFirst().states()).isEqualTo(full.policies().getFirst().states());
    }

    static List<Integer> bounds() {
        return List.of(1, 2);
    }

    static List<String> deepest() {
        return List.of("iounmap-before-hrtimer-cancel", "timer-requeues-cancelled-work");
    }

    private void assertSameOutcomes(String name, int bound) {
        var scenario = ExplorerTest.builtIn(name);
        var policies = Arrays.asList(Policy.values());
        var reduced = explorer.explore(scenario, policies, bound, Explorer.MAX_BUDGET, true);
        var full = explorer.explore(scenario, policies, bound, Explorer.MAX_BUDGET, false);

        assertThat(outcomes(reduced)).as("%s at bound %d", name, bound).isEqualTo(outcomes(full));
        for (int i = 0; i < policies.size(); i++) {
            var fewer = reduced.policies().get(i);
            var all = full.policies().get(i);
            assertThat(fewer.explored()).isLessThanOrEqualTo(all.explored());
            // its schedules are a subset of the full space's, so as many states means the same states
            assertThat(fewer.states()).as("%s under %s at bound %d: final states", name, fewer.policy(), bound)
                    .isEqualTo(all.states());
        }
    }

    private static Map<String, TreeSet<String>> outcomes(Exploration exploration) {
        var outcomes = new TreeMap<String, TreeSet<String>>();
        for (var policy : exploration.policies()) {
            var set = new TreeSet<String>();
            policy.outcomes().forEach(outcome -> set.add(outcome.outcome()));
            outcomes.put(policy.policy(), set);
        }
        return outcomes;
    }
}
