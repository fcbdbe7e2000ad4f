package dev.novahost.kernel.events;

import dev.novahost.kernel.Errno;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Fault injection at work: an injected bug fired, or an injection point failed ({@code verbose} 1 and up). */
public sealed interface FaultEvent extends KernelEvent {

    /**
     * {@code name} (a fault's or an injection point's word) fired at {@code where} on {@code device}, the
     * {@code count}-th time since boot; an injection point's call failed with {@code errno}. At
     * {@code verbose} 2, {@code timeline} is the object's timeline up to here (its events' words and
     * objects), said after the line; else it is empty.
     */
    record Injected(String device, String name, String where, Optional<Errno> errno, long count, String timeline)
            implements FaultEvent {

        public Injected(String device, String name, String where, Optional<Errno> errno, long count) {
            this(device, name, where, errno, count, "");
        }

        /** A timeline as {@code verbose} 2 says it: each event's word and object, oldest first. */
        public static String said(List<LogEntry> timeline) {
            return timeline.stream().map(e -> e.object().isEmpty() ? e.type() : e.type() + " " + e.object())
                    .collect(Collectors.joining(", "));
        }

        public String type() {
            return "fault.injected";
        }

        @Override
        public String object() {
            return where;
        }

        public String message() {
            return "FAULT_INJECTION: forcing a failure: " + name + " at " + where
                    + errno.map(e -> " (-" + e + ")").orElse("") + ", injection " + count
                    + (timeline.isEmpty() ? "" : "; timeline: " + timeline);
        }
    }
}
