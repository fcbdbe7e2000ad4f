package dev.novahost.report;

import java.util.List;
import java.util.Objects;

/**
 * A suite of cases, with properties that describe the run as a whole ({@code seed}, {@code chipset}).
 * A suite failed if one of its cases did; a suite whose cases were all skipped (or that has none) was
 * skipped.
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

    public boolean failed() {
        return count(TestCase.Failed.class) > 0;
    }

    public boolean skipped() {
        return count(TestCase.Skipped.class) == cases.size();
    }
}
