package dev.novahost.scenario;

import java.util.Optional;

/**
 * Whether a step's expectation held: passed, or failed for a reason. A result writes it as
 * {@code "passed"} or {@code "failed: <reason>"} ({@link #wire}); those words are part of the result's
 * digest, so they do not change.
 */
sealed interface Verdict {

    Verdict PASSED = new Passed();

    /** How a result's failed verdict begins. */
    String FAILED = "failed: ";

    static Verdict failed(String reason) {
        return new Failed(reason);
    }

    record Passed() implements Verdict { }

    record Failed(String reason) implements Verdict { }

    /** The reason of a verdict as a result writes it ({@link #wire}), if it failed. */
    static Optional<String> failure(String wire) {
        return wire.startsWith(FAILED) ? Optional.of(wire.substring(FAILED.length())) : Optional.empty();
    }

    /** As a result writes it. */
    default String wire() {
        return switch (this) {
            case Passed _ -> "passed";
            case Failed failed -> FAILED + failed.reason();
        };
    }
}
