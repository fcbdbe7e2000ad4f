package dev.novahost.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import dev.novahost.scenario.ScenarioRunner;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The explorer checks a teardown the user wrote: a remove() that unmaps BAR0 before it cancels the timer
 * reading it is wrong in only the schedules where that timer's callback is in flight across the unmap,
 * and the explorer finds them (under fenced a violation, under revocable a refused access); the same
 * teardown in the right order has no violating schedule under any policy.
 */
class ExplorerTeardownOrderTest {

    private final Explorer explorer = new Explorer(new ScenarioRunner(), 2, Duration.ofMinutes(2));
    private final List<Policy> every = Arrays.asList(Policy.values());

    @Test
    void unmappingBeforeTheCancelIsFoundOnlyInTheSchedulesWhereTheCallbackIsInFlightAcrossTheUnmap() {
        var exploration = explorer.explore(ExplorerTest.builtIn("iounmap-before-hrtimer-cancel"), every, 2, 10_000);

        var fenced = policy(exploration, Policy.FENCED);
        assertThat(fenced.complete()).isTrue();
        assertThat(fenced.violating()).isPositive().isLessThan(fenced.explored() - fenced.infeasible());
        var violating = fenced.outcomes().stream().filter(Exploration.Outcome::violating).toList();
        assertThat(violating).allSatisfy(outcome -> assertThat(outcome.violations()).contains("mmio_after_revoke:occurred"));
        assertThat(violating).anySatisfy(outcome -> assertThat(outcome.schedule())
                .containsSubsequence("timer t starts and is held in flight", "timer t finishes"));
        for (var policy : every) {
            if (policy != Policy.FENCED) {
                assertThat(policy(exploration, policy).violating()).as(policy.name()).isZero();
            }
        }
        assertThat(policy(exploration, Policy.REVOCABLE).outcomes())
                .anySatisfy(outcome -> assertThat(outcome.violations()).contains("mmio_after_revoke:prevented"));
    }

    @Test
    void theSameTeardownInTheRightOrderHasNoViolatingScheduleUnderAnyPolicy() {
        var scenario = (ObjectNode) ExplorerTest.builtIn("iounmap-before-hrtimer-cancel");
        var remove = (ArrayNode) scenario.get("steps").get(3).get("faults").get("remove");
        remove.removeAll().add("hrtimer_cancel:t").add("free_irq").add("pci_iounmap");

        var exploration = explorer.explore(scenario, every, 2, 10_000);

        for (var policy : exploration.policies()) {
            assertThat(policy.complete()).isTrue();
            assertThat(policy.violating()).as(policy.policy()).isZero();
            assertThat(policy.outcomes()).noneSatisfy(outcome -> assertThat(outcome.violations()).isNotEmpty());
        }
    }

    private static Exploration.PolicyExploration policy(Exploration exploration, Policy policy) {
        return exploration.policies().stream().filter(p -> p.policy().equals(policy.name().toLowerCase()))
                .findFirst().orElseThrow();
    }
}
