package dev.novahost.report;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One case: its name, how it ended ({@link Status}), what it printed along the way ({@code output}, one
 * entry a line), its subtests (KTAP nests them; JUnit, which cannot, lists them in the case's output) and,
 * only when given, how long it took.
 *
 * <p>Invariant, as KTAP states it for nested tests: a case with a failed subtest has failed itself. The
 * constructor refuses a case that says otherwise, so no writer has to decide which of the two to believe.
 */
public record TestCase(String name, Status status, List<String> output, List<TestCase> subtests,
                       Optional<Duration> time) {

    /** How a case ended. */
    public sealed interface Status permits Passed, Failed, Skipped {
    }

    public record Passed() implements Status {
    }

    /** Failed: a one-line {@code message} (what failed) and the {@code details} that show why (a timeline). */
    public record Failed(String message, List<String> details) implements Status {

        public Failed {
            Objects.requireNonNull(message, "message");
            details = List.copyOf(details);
        }
    }

    /** Not run, or not checked, for a {@code reason}. */
    public record Skipped(String reason) implements Status {

        public Skipped {
            Objects.requireNonNull(reason, "reason");
        }
    }

    public static final Status PASSED = new Passed();

    public TestCase {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        output = List.copyOf(output);
        subtests = List.copyOf(subtests);
        Objects.requireNonNull(time, "time");
        if (!(status instanceof Failed) && subtests.stream().anyMatch(TestCase::failed)) {
            throw new IllegalArgumentException("case '" + name + "' has a failed subtest, so it failed itself");
        }
    }

    /** A case without subtests or a time. */
    public TestCase(String name, Status status, List<String> output) {
        this(name, status, output, List.of(), Optional.empty());
    }

    /** A case with subtests, without a time. */
    public TestCase(String name, Status status, List<String> output, List<TestCase> subtests) {
        this(name, status, output, subtests, Optional.empty());
    }

    public boolean failed() {
        return status instanceof Failed;
    }
}
