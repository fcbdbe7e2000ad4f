package dev.novahost.scenario;

import java.util.List;

/**
 * What a scenario run produced: each step's outcome, the kernel log, the violations, how many
 * expectations held, and a SHA-256 digest of all of it. Nothing here depends on wall time, so the
 * same scenario and seed give byte-identical results on every run.
 */
public record ScenarioResult(String scenario, long seed, String policy, boolean passed, int expectationsPassed,
                             int expectationsFailed, List<StepResult> steps, List<Event> events,
                             List<Violation> violations, String digest) {

    /**
     * One step: whether it succeeded, with what errno or value, and whether its expectation held. A step
     * that had to wait for a callback in flight names the step that let it complete ({@code blockedUntil},
     * a finish-callback, or the number of steps when the run finished the callbacks at its end); null
     * otherwise.
     */
    public record StepResult(int index, String op, boolean ok, String errno, String value, String expectation,
                             Integer blockedUntil) {
    }

    /** A kernel log line on virtual time. */
    public record Event(long seq, long at, String device, String object, String type, String message) {
    }

    /** A violation group, without its wall-clock time. */
    public record Violation(String kind, String outcome, String device, String object, int generation, long count,
                            long firstSeen, long lastSeen, String message, List<Long> timeline) {
    }

    ScenarioResult withDigest(String digest) {
        return new ScenarioResult(scenario, seed, policy, passed, expectationsPassed, expectationsFailed, steps,
                events, violations, digest);
    }
}
