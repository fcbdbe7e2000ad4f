package dev.novahost.api;

import dev.novahost.kernel.events.LogEntry;
import java.time.Instant;

/** One kernel log line; {@code device} and {@code object} are empty strings when the event has none. */
record EventView(long seq, long at, String wall, String device, String object, String type, String message) {

    static EventView of(LogEntry e) {
        return new EventView(e.seq(), e.clockNs(), Instant.ofEpochMilli(e.wallMillis()).toString(), e.device(),
                e.object(), e.type(), e.message());
    }
}
