package dev.novahost.api;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.sanitizer.Violation;
import java.time.Instant;
import java.util.List;

/**
 * A group of identical violations with the causal timeline of the first one. {@code firstSeen} and
 * {@code lastSeen} are kernel clock nanoseconds (as in the timeline); {@code firstSeenWall} is wall time.
 */
record ViolationView(long id, String kind, String outcome, String policy, String device, String object,
                     int generation, long count, long firstSeen, long lastSeen, String firstSeenWall, String message,
                     List<TimelineEntry> timeline) {

    /** One event of the timeline: its sequence number, clock time, type and kernel log line. */
    record TimelineEntry(long seq, long at, String event, String object, String message) {

        static TimelineEntry of(LogEntry event) {
            return new TimelineEntry(event.seq(), event.clockNs(), event.type(), event.object(), event.message());
        }
    }

    static ViolationView of(Violation v) {
        return new ViolationView(v.id(), v.kind().wireName(), WireWord.of(v.outcome()), WireWord.of(v.policy()),
                v.device(), v.object(), v.generation(), v.count(), v.firstSeenNs(), v.lastSeenNs(),
                Instant.ofEpochMilli(v.firstSeenWallMillis()).toString(), v.message(),
                v.timeline().stream().map(TimelineEntry::of).toList());
    }
}
