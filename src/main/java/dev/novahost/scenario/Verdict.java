package dev.novahost.scenario;

/**
 * Whether a step's expectation held: passed, or failed for a reason. A result writes it as
 * {@code "passed"} or {@code "failed: <reason>"} ({@link #wire}); those words are part of the result's
 * digest, so they do not change.
 */
sealed interface Verdict {

    Verdict PASSED = new Passed();

    static Verdict failed(String reason) {
        return new Failed(reason);
    }

    record Passed() implements Verdict { }

    record Failed(String reason) implements Verdict { }

    /** As a result writes it. */
    default String wire() {
        return switch (this) {
            case Passed _ -> "passed";
            case Failed failed -> "failed: " + failed.reason();
        };
    }
}
