package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in scenario, one per case of the nova-core thread and one per deadlock bug, run under all three policies: it parses,
 * every expectation it states holds under each policy, and the violations each policy sees (kind /
 * outcome → count) are exactly the table written here. This table is the asserted outcome.
 */
class BuiltInScenariosTest {

    private static final List<Policy> ALL = List.of(Policy.REVOCABLE, Policy.FENCED, Policy.SRCU);

    private final ScenarioRunner runner = new ScenarioRunner();

    /** A scenario and what each policy sees when it runs. */
    static Stream<Arguments> outcomes() {
        return Stream.of(
                outcome("timer-fires-after-unbind",
                        Map.of("timer_free_active/prevented", 1L),
                        Map.of("timer_free_active/occurred", 1L, "timer_after_remove/occurred", 1L)),
                outcome("hrtimer-dropped-with-device-data",
                        Map.of("timer_free_active/prevented", 1L),
                        Map.of("timer_free_active/occurred", 1L, "timer_after_remove/occurred", 1L)),
                outcome("work-self-requeues-across-remove",
                        Map.of("work_free_active/prevented", 1L),
                        Map.of("work_free_active/occurred", 1L, "work_after_remove/occurred", 1L)),
                outcome("timer-requeues-cancelled-work",
                        Map.of("work_free_active/prevented", 1L),
                        Map.of("work_free_active/occurred", 1L, "work_after_remove/occurred", 1L)),
                outcome("module-unloaded-while-callback-pending",
                        Map.of("exec_after_unload/occurred", 2L),
                        Map.of("exec_after_unload/occurred", 2L)),
                outcome("unload-with-open-file-pin", Map.of(), Map.of()),
                outcome("unload-with-open-file-disassociate", Map.of(), Map.of()),
                outcome("unload-with-open-file-force",
                        Map.of("exec_after_unload/occurred", 2L),
                        Map.of("exec_after_unload/occurred", 2L)),
                outcome("module-timer-touches-revoked-bar",
                        Map.of("mmio_after_revoke/prevented", 1L),
                        Map.of("mmio_after_revoke/occurred", 1L)),
                outcome("module-scope-object-outlives-unbind", Map.of(), Map.of()),
                outcome("devres-unwind-on-failed-probe", Map.of(), Map.of()),
                outcome("hrtimer-cancel-under-driver-lock",
                        Map.of("deadlock_possible/occurred", 1L, "hung_task/occurred", 1L),
                        Map.of("deadlock_possible/occurred", 1L, "hung_task/occurred", 1L)),
                outcome("work-cancels-itself-on-remove",
                        Map.of("deadlock_possible/occurred", 1L, "hung_task/occurred", 1L),
                        Map.of("deadlock_possible/occurred", 1L, "hung_task/occurred", 1L)),
                outcome("work-flushes-its-own-queue",
                        Map.of("deadlock_possible/occurred", 1L, "hung_task/occurred", 1L),
                        Map.of("deadlock_possible/occurred", 1L, "hung_task/occurred", 1L)),
                outcome("free-irq-under-driver-lock",
                        Map.of(),
                        Map.of("deadlock_possible/occurred", 1L, "hung_task/occurred", 1L)),
                // srcu: pci_iounmap's revocation waits for the callback's read-side section, so its read succeeds
                outcome("iounmap-before-hrtimer-cancel",
                        Map.of("mmio_after_revoke/prevented", 1L),
                        Map.of("mmio_after_revoke/occurred", 1L),
                        Map.of()));
    }

    /** Where srcu sees what revocable sees: the framework owns the data and revokes BAR0 alike. */
    private static Arguments outcome(String name, Map<String, Long> revocable, Map<String, Long> fenced) {
        return outcome(name, revocable, fenced, revocable);
    }

    private static Arguments outcome(String name, Map<String, Long> revocable, Map<String, Long> fenced,
                                     Map<String, Long> srcu) {
        return Arguments.of(name, Map.of("revocable", revocable, "fenced", fenced, "srcu", srcu));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("outcomes")
    void runsUnderBothPoliciesWithItsExpectationsAndTheAssertedViolations(String name,
                                                                          Map<String, Map<String, Long>> table) {
        var scenario = Scenarios.named(name).orElseThrow();

        var comparison = runner.compare(scenario, ALL);

        comparison.runs().forEach((policy, run) -> {
            assertThat(run.policy()).isEqualTo(policy);
            assertThat(run.steps()).as("%s under %s: every step ran", name, policy).doesNotContainNull();
            assertThat(run.steps()).as("%s under %s: no expectation failed", name, policy)
                    .allSatisfy(step -> assertThat(step.expectation()).isIn(null, "passed"));
            assertThat(run.expectationsPassed()).as("%s under %s states expectations", name, policy).isPositive();
            assertThat(run.passed()).isTrue();
        });
        assertThat(comparison.violations()).as("violations of %s by policy", name).isEqualTo(table);
    }

    @Test
    void everyBuiltInIsListedParsesAndTellsItsCase() throws IOException {
        assertThat(outcomes().map(a -> (String) a.get()[0]).toList())
                .as("the asserted table covers every built-in, in order").isEqualTo(Scenarios.BUILT_IN);
        try (var files = Files.list(Path.of("src/main/resources/scenarios"))) {
            assertThat(files.map(f -> f.getFileName().toString().replace(".json", "")).sorted().toList())
                    .as("every scenario file is a listed built-in").isEqualTo(Scenarios.BUILT_IN.stream().sorted().toList());
        }
        assertThat(Scenarios.all()).allSatisfy(scenario -> {
            assertThat(scenario.title()).isNotBlank();
            assertThat(scenario.description()).as("%s says what the thread said", scenario.name())
                    .hasSizeGreaterThan(200).doesNotContain("\"");
            assertThat(scenario.steps()).anyMatch(step -> step.op().equals("expect"));
        });
        assertThat(Scenarios.all()).extracting(Scenario::name).isEqualTo(Scenarios.BUILT_IN);
        assertThat(Scenarios.all()).extracting(Scenario::seed).doesNotHaveDuplicates();
        assertThat(Scenarios.named("no-such-scenario")).isEmpty();
    }

    /** Where remove() must wait for a callback in flight, the unbind step says which step let it go. */
    @Test
    void theUnbindThatWaitsForACallbackInFlightSaysSo() {
        assertThat(blockedSteps("hrtimer-dropped-with-device-data")).isEqualTo(Map.of(
                "revocable", List.of("6 unbind until 7"), "fenced", List.of(), "srcu", List.of("6 unbind until 7")));
        assertThat(blockedSteps("work-self-requeues-across-remove")).isEqualTo(Map.of(
                "revocable", List.of("5 unbind until 6"), "fenced", List.of(), "srcu", List.of("5 unbind until 6")));
        assertThat(blockedSteps("timer-requeues-cancelled-work")).isEqualTo(Map.of(
                "revocable", List.of("7 unbind until 8"), "fenced", List.of("7 unbind until 8"),
                "srcu", List.of("7 unbind until 8")));
        // srcu alone: the unload's revocation of BAR0 waits for the module timer's section (synchronize_srcu)
        assertThat(blockedSteps("module-unloaded-while-callback-pending")).isEqualTo(Map.of(
                "revocable", List.of(), "fenced", List.of(), "srcu", List.of("6 unload until 7")));
    }

    /**
     * A deadlocked unbind completes only when the machine shuts down at the end of the run (one past the
     * last step); where revocable avoids the deadlock, at the finish-callback that lets the handler go.
     */
    @Test
    void theUnbindBehindADeadlockCompletesAtTheEndOfTheRun() {
        assertThat(blockedSteps("hrtimer-cancel-under-driver-lock")).isEqualTo(Map.of(
                "revocable", List.of("11 unbind until 17"), "fenced", List.of("11 unbind until 17"),
                "srcu", List.of("11 unbind until 17")));
        assertThat(blockedSteps("work-cancels-itself-on-remove")).isEqualTo(Map.of(
                "revocable", List.of("6 unbind until 13"), "fenced", List.of("6 unbind until 13"),
                "srcu", List.of("6 unbind until 13")));
        assertThat(blockedSteps("work-flushes-its-own-queue")).isEqualTo(Map.of(
                "revocable", List.of("6 unbind until 13"), "fenced", List.of("6 unbind until 13"),
                "srcu", List.of("6 unbind until 13")));
        assertThat(blockedSteps("free-irq-under-driver-lock")).isEqualTo(Map.of(
                "revocable", List.of("14 unbind until 15"), "fenced", List.of("14 unbind until 21"),
                "srcu", List.of("14 unbind until 15")));
    }

    private Map<String, List<String>> blockedSteps(String name) {
        var comparison = runner.compare(Scenarios.named(name).orElseThrow(), ALL);
        return Map.of("revocable", blocked(comparison.runs().get("revocable")),
                "fenced", blocked(comparison.runs().get("fenced")),
                "srcu", blocked(comparison.runs().get("srcu")));
    }

    private static List<String> blocked(ScenarioResult run) {
        return run.steps().stream().filter(s -> s.blockedUntil() != null)
                .map(s -> s.index() + " " + s.op() + " until " + s.blockedUntil()).toList();
    }
}
