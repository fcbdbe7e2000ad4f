package dev.novahost.kernel.sanitizer;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.events.LogEntry;
import java.util.List;

/**
 * A group of identical violations (same kind, outcome, device and object) as the sanitizer reports
 * it: how often, first and last seen (clock nanoseconds), and the causal timeline of the first one.
 */
public record Violation(long id, ViolationKind kind, Outcome outcome, Policy policy, String device, String object,
                        int generation, long count, long firstSeenNs, long lastSeenNs, long firstSeenWallMillis,
                        String message, List<LogEntry> timeline) {
}
