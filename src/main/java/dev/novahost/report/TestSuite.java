package dev.novahost.report;

import java.util.List;
import java.util.Objects;

/**
 * A suite of cases, with properties that describe the run as a whole ({@code seed}, {@code chipset}).
 */
public record TestSuite(String name, List<Property> properties, List<TestCase> cases) {

    /** A name and its value, as JUnit's {@code <property>} and a KTAP diagnostic line {@code # name: value}. */
    public record Property(String name, String value) {

        public Property {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public TestSuite {
        Objects.requireNonNull(name, "name");
        properties = List.copyOf(properties);
        cases = List.copyOf(cases);
    }

    public long count(Class<? extends TestCase.Status> status) {
        return cases.stream().filter(c -> status.isInstance(c.status())).count();
    }

    /**
     * The suite's own result, by KTAP's rule for a parent: failed if one of its cases failed, skipped if all
     * of them were skipped or it has none, passed otherwise.
     */
    public TestCase.Status status() {
        long failed = count(TestCase.Failed.class);
        if (failed > 0) {
            return new TestCase.Failed(failed + " of " + cases.size() + " cases failed", List.of());
        }
        if (count(TestCase.Skipped.class) == cases.size()) {
            return new TestCase.Skipped(cases.isEmpty() ? "no cases" : "every case skipped");
        }
        return TestCase.PASSED;
    }

    public boolean failed() {
        return status() instanceof TestCase.Failed;
    }
}
