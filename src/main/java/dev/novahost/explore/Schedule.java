package dev.novahost.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * One schedule of a teardown race: for each callback, the runs it makes and where each begins and ends,
 * as positions in the teardown. Position 0 is before the teardown starts, position {@code k} (1 to n) is
 * the teardown held at its k-th point (before that step runs), position n + 1 is after it returned. A run
 * whose start and finish share a position fires whole there; one that spans positions is in flight
 * while the steps in between run, and a step that waits for it (a cancel, a lock) blocks until it ends.
 * An immutable value.
 *
 * @param runs per callback (in the race's order), its runs in order
 */
record Schedule(List<List<Run>> runs) {

    /** One run of a callback: the positions where it begins and ends ({@code start <= finish}). */
    record Run(int start, int finish) { }

    /** One entry of the schedule laid out in time: a teardown step (segment), or a callback's event. */
    record Entry(int callback, Event event, int position) {
        static final int TEARDOWN = -1;
    }

    enum Event { SEGMENT, START, FINISH, FIRE }

    /**
     * The schedule laid out in time, for a teardown of {@code points} points: at each position, first the
     * runs in flight that end there, then, callback by callback, the runs that begin there (whole, or held
     * in flight); then the teardown's step from that position to the next.
     */
    List<Entry> layout(int points) {
        var entries = new ArrayList<Entry>();
        for (int position = 0; position <= points + 1; position++) {
            for (int c = 0; c < runs.size(); c++) {
                for (Run run : runs.get(c)) {
                    if (run.finish == position && run.start < position) {
                        entries.add(new Entry(c, Event.FINISH, position));
                    }
                }
            }
            for (int c = 0; c < runs.size(); c++) {
                for (Run run : runs.get(c)) {
                    if (run.start == position) {
                        entries.add(new Entry(c, run.finish == position ? Event.FIRE : Event.START, position));
                    }
                }
            }
            if (position <= points) {
                entries.add(new Entry(Entry.TEARDOWN, Event.SEGMENT, position));
            }
        }
        return entries;
    }

    /**
     * Preemptions, as CHESS counts them: switches away from a task that could have gone on. The teardown
     * could go on from its first step until its last, so each position inside it (1 to n) at which a
     * callback event is placed is one switch away from it; a callback could go on while it is in flight,
     * and the entry after its start is always another task's, so each run held across positions is one
     * more. (Where the teardown in fact waited for the callback the switch was free; the bound counts it
     * anyway, so it errs towards exploring less deep, never towards calling a deep schedule shallow.)
     * That is the count over {@link #layout}, switch by switch, in closed form.
     */
    int preemptions(int points) {
        return Long.bitCount(insidePositions(runs.stream().flatMap(List::stream).toList(), points))
                + inFlight(runs.stream().flatMap(List::stream).toList());
    }

    /** The positions inside the teardown (1 to {@code points}) at which these runs place an event, as bits. */
    static long insidePositions(List<Run> runs, int points) {
        long inside = 0;
        for (Run run : runs) {
            inside |= inside(run.start, points) | inside(run.finish, points);
        }
        return inside;
    }

    private static long inside(int position, int points) {
        return position >= 1 && position <= points ? 1L << position : 0;
    }

    /** How many of these runs are held in flight across positions. */
    static int inFlight(List<Run> runs) {
        return (int) runs.stream().filter(run -> run.start < run.finish).count();
    }

    /** How many callback events it has: a whole run counts two (its start and finish), a file operation one. */
    int events(List<Callback> callbacks) {
        int events = 0;
        for (int c = 0; c < runs.size(); c++) {
            events += runs.get(c).size() * (callbacks.get(c).kind() == Callback.Kind.FILE ? 1 : 2);
        }
        return events;
    }

    /** The positions, callback by callback, run by run: the tie-break of the exploration order. */
    String key() {
        var key = new StringBuilder();
        for (var callbackRuns : runs) {
            for (Run run : callbackRuns) {
                key.append(String.format("%03d%03d", run.start, run.finish));
            }
            key.append('|');
        }
        return key.toString();
    }
}
