package dev.novahost.kernel.events;

import java.util.ArrayList;
import java.util.List;

/**
 * The events of one object (a timer, a work item, a binding), kept with the object so that a
 * violation's timeline can start at the object's creation however long ago that was: the first event
 * is always kept, then the most recent ones up to a bound.
 *
 * <p>Thread-safety: guarded by {@code this}.
 */
public final class History {

    private static final int RECENT = 32;

    private LogEntry first;
    private final LogEntry[] recent = new LogEntry[RECENT];
    private long count;

    public synchronized void add(LogEntry event) {
        if (first == null) {
            first = event;
        } else {
            recent[(int) (count % RECENT)] = event;
            count++;
        }
    }

    /** The first event and the most recent ones, in order. */
    public synchronized List<LogEntry> events() {
        var events = new ArrayList<LogEntry>();
        if (first != null) {
            events.add(first);
        }
        for (long i = Math.max(0, count - RECENT); i < count; i++) {
            events.add(recent[(int) (i % RECENT)]);
        }
        return events;
    }
}
