package dev.novahost.report;

import java.util.List;
import java.util.Objects;

/**
 * A test report, neutral of any format: named suites of cases, as CI systems show results. The scenario
 * runner's answers (a run, a comparison, a sweep) and the explorer's are mapped to it, and a
 * {@link ReportFormat} writes it out as JUnit XML ({@link JunitXml}) or KTAP ({@link Ktap}).
 *
 * <p>A report holds no wall-clock time unless a case was given one, so the same result maps to the same
 * report and is written as the same bytes.
 */
public record TestReport(String name, List<TestSuite> suites) {

    public TestReport {
        Objects.requireNonNull(name, "name");
        suites = List.copyOf(suites);
    }

    /** How many cases of every suite ended in {@code status}'s kind. */
    public long count(Class<? extends TestCase.Status> status) {
        return suites.stream().mapToLong(suite -> suite.count(status)).sum();
    }

    /** Every case of every suite. */
    public long tests() {
        return suites.stream().mapToLong(suite -> suite.cases().size()).sum();
    }
}
