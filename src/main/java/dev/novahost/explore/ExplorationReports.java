package dev.novahost.explore;

import dev.novahost.report.TestCase;
import dev.novahost.report.TestReport;
import dev.novahost.report.TestSuite;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * An exploration as a {@link TestReport}: a suite per policy, a case per distinct outcome. A violating
 * outcome is a failed case whose message counts its schedules and whose details are its shortest
 * schedule in words and its reproducer, the scenario to replay; an outcome that is not violating passes.
 * Schedules beyond the budget are one skipped case, so that an incomplete exploration does not read as a
 * clean one.
 */
public final class ExplorationReports {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ExplorationReports() {
    }

    public static TestReport of(Exploration exploration) {
        var suites = exploration.policies().stream().map(policy -> suite(exploration, policy)).toList();
        return new TestReport("explore " + exploration.scenario() + ": " + exploration.teardown(), suites);
    }

    /** Several explorations (every built-in race) as one report: their suites one after the other. */
    public static TestReport of(List<Exploration> explorations) {
        var suites = explorations.stream().flatMap(exploration -> of(exploration).suites().stream()).toList();
        return new TestReport("explore " + explorations.size() + " races", suites);
    }

    private static TestSuite suite(Exploration exploration, Exploration.PolicyExploration policy) {
        var cases = new ArrayList<TestCase>();
        for (var outcome : policy.outcomes()) {
            cases.add(outcome(policy, outcome));
        }
        if (!policy.complete()) {
            cases.add(new TestCase("schedules beyond the budget", new TestCase.Skipped((policy.schedules() - policy.explored())
                    + " of " + policy.schedules() + " schedules not explored (budget " + exploration.budget() + ")"), List.of()));
        }
        return new TestSuite("explore " + exploration.scenario() + " under " + policy.policy(), List.of(
                new TestSuite.Property("teardown", exploration.teardown()),
                new TestSuite.Property("policy", policy.policy()),
                new TestSuite.Property("bound", Integer.toString(exploration.bound())),
                new TestSuite.Property("schedules", Integer.toString(policy.schedules())),
                new TestSuite.Property("explored", Integer.toString(policy.explored())),
                new TestSuite.Property("infeasible", Integer.toString(policy.infeasible())),
                new TestSuite.Property("violating", Integer.toString(policy.violating()))), List.copyOf(cases));
    }

    private static TestCase outcome(Exploration.PolicyExploration policy, Exploration.Outcome outcome) {
        var counted = outcome.schedules() + " of " + policy.explored() + " schedules end in " + outcome.outcome();
        if (!outcome.violating()) {
            return new TestCase(outcome.outcome(), TestCase.PASSED, List.of(counted));
        }
        var details = new ArrayList<String>();
        details.add("shortest schedule:");
        outcome.schedule().forEach(line -> details.add("  " + line));
        details.add("reproducer (POST /api/v1/scenarios/run {\"scenario\": ...}, digest " + outcome.digest() + "):");
        details.addAll(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(outcome.reproducer()).lines().toList());
        return new TestCase(outcome.outcome(), new TestCase.Failed(counted, details), List.of());
    }
}
