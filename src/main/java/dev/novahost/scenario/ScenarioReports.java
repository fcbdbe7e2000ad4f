package dev.novahost.scenario;

import dev.novahost.report.TestCase;
import dev.novahost.report.TestReport;
import dev.novahost.report.TestSuite;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The scenario feature's answers as {@link TestReport}s, for CI systems to show as test results:
 * <ul>
 *   <li>a run, or a comparison of runs: a suite for the scenario, a case per policy; the case's subtests are
 *       the steps that had an expectation (an {@code expect} step for another policy is skipped). A failed
 *       case's message is the sentence of each failed expectation, its details the timeline of each
 *       violation the run saw (without one, the end of the kernel log);</li>
 *   <li>a sweep: a suite per policy, a case per step walked (the injection point failed), its checks as
 *       subtests; a failed step's message names its failed checks, its details are its timeline.</li>
 * </ul>
 * Everything comes from the result, which holds no wall-clock time: the same result gives the same report.
 *
 * <p>Another answer maps the same way with the report's public constructors: an exploration, for one, as a
 * suite per policy and a failed case per distinct violating outcome, its reproducer as the details. Its
 * endpoint answers through the controller's {@code Answer} ({@code ?format=}, the media type, 406), its
 * command line parses {@code --format} with {@link dev.novahost.report.ReportFormat#named}.
 */
public final class ScenarioReports {

    /** How much of the kernel log a failed run without a violation shows: its end, where the run failed. */
    static final int LOG_TAIL = 50;

    private ScenarioReports() {
    }

    public static TestReport of(ScenarioResult result) {
        return report(result.scenario(), result.seed(), List.of(result));
    }

    public static TestReport of(ScenarioComparison comparison) {
        var runs = comparison.runs().values();
        var first = runs.stream().findFirst().orElseThrow(() -> new IllegalArgumentException("a comparison of no runs"));
        return report(first.scenario(), first.seed(), runs);
    }

    public static TestReport of(Sweep.Result sweep) {
        var suites = sweep.walks().entrySet().stream().map(walk -> new TestSuite(
                String.join(" ", "sweep", sweep.operation(), sweep.driver(), sweep.chipset(), walk.getKey()),
                List.of(new TestSuite.Property("operation", sweep.operation()),
                        new TestSuite.Property("driver", sweep.driver()),
                        new TestSuite.Property("chipset", sweep.chipset()),
                        new TestSuite.Property("policy", walk.getKey())),
                walk.getValue().steps().stream().map(ScenarioReports::step).toList())).toList();
        return new TestReport("sweep: " + sweep.operation() + " of " + sweep.driver() + " with a " + sweep.chipset(),
                suites);
    }

    // --- a run ----------------------------------------------------------------------------------

    private static TestReport report(String scenario, long seed, Collection<ScenarioResult> runs) {
        var suite = new TestSuite(scenario, List.of(new TestSuite.Property("seed", Long.toString(seed))),
                runs.stream().map(ScenarioReports::run).toList());
        return new TestReport(scenario, List.of(suite));
    }

    /** A run under one policy: its expectations as subtests. */
    private static TestCase run(ScenarioResult result) {
        var subtests = result.steps().stream().map(ScenarioReports::expectation).flatMap(Optional::stream).toList();
        var output = List.of("digest: " + result.digest(), "violations: " + violations(result));
        var failed = subtests.stream().flatMap(s -> s.status() instanceof TestCase.Failed f
                ? Stream.of(s.name() + ": " + f.message()) : Stream.empty()).toList();
        TestCase.Status status = failed.isEmpty() ? TestCase.PASSED
                : new TestCase.Failed(String.join("; ", failed), timeline(result));
        return new TestCase(result.policy(), status, output, subtests);
    }

    /** A step's expectation, if it had one: its verdict, or, for an {@code expect} step not checked, skipped. */
    private static Optional<TestCase> expectation(ScenarioResult.StepResult step) {
        String name = "step " + step.index() + " " + step.op();
        if (step.expectation() == null) {
            return step.op().equals("expect")
                    ? Optional.of(new TestCase(name, new TestCase.Skipped(step.value()), List.of()))
                    : Optional.empty();
        }
        TestCase.Status status = Verdict.failure(step.expectation())
                .<TestCase.Status>map(reason -> new TestCase.Failed(reason, List.of())).orElse(TestCase.PASSED);
        return Optional.of(new TestCase(name, status, List.of()));
    }

    private static String violations(ScenarioResult result) {
        if (result.violations().isEmpty()) {
            return "none";
        }
        return result.violations().stream()
                .collect(Collectors.groupingBy(v -> v.kind() + "/" + v.outcome(), TreeMap::new,
                        Collectors.summingLong(ScenarioResult.Violation::count)))
                .entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** Each violation with the log lines of its timeline; a run without one, the end of its log. */
    private static List<String> timeline(ScenarioResult result) {
        Map<Long, ScenarioResult.Event> bySeq = result.events().stream()
                .collect(Collectors.toMap(ScenarioResult.Event::seq, Function.identity(), (a, b) -> a));
        var lines = new ArrayList<String>();
        for (var violation : result.violations()) {
            lines.add(violation.kind() + "/" + violation.outcome() + " " + violation.object() + ": " + violation.message());
            violation.timeline().stream().map(bySeq::get).filter(Objects::nonNull)
                    .forEach(event -> lines.add("  " + line(event)));
        }
        if (lines.isEmpty()) {
            var events = result.events();
            int from = Math.max(0, events.size() - LOG_TAIL);
            lines.add("no violation; the kernel log" + (from == 0 ? ":" : ", its last " + LOG_TAIL + " lines:"));
            events.subList(from, events.size()).forEach(event -> lines.add("  " + line(event)));
        }
        return List.copyOf(lines);
    }

    /** A log line as a sweep's timeline writes it. */
    private static String line(ScenarioResult.Event event) {
        return "[" + event.seq() + "] " + event.message();
    }

    // --- a sweep --------------------------------------------------------------------------------

    /** A step of a walk: the injection point it failed (none for the bind that went through), its checks. */
    private static TestCase step(Sweep.StepVerdict step) {
        String point = step.point() != null ? step.point() : step.checks().getFirst().name();
        var checks = step.checks().stream().map(check -> check.passed()
                ? new TestCase(check.name(), TestCase.PASSED, List.of(check.detail()))
                : new TestCase(check.name(), new TestCase.Failed(check.detail(), List.of()), List.of())).toList();
        var failed = step.checks().stream().filter(check -> !check.passed())
                .map(check -> check.name() + ": " + check.detail()).toList();
        TestCase.Status status = failed.isEmpty() ? TestCase.PASSED
                : new TestCase.Failed(String.join("; ", failed), step.timeline());
        var output = step.errno() == null ? List.<String>of() : List.of(point + " failed with -" + step.errno());
        return new TestCase("step " + step.n() + " " + point, status, output, checks);
    }
}
