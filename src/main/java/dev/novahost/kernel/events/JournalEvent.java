package dev.novahost.kernel.events;

/** The host's journal at start: what its replay brought back, dropped or skipped. */
public sealed interface JournalEvent extends KernelEvent {

    @Override
    default String device() {
        return "";
    }

    /** A torn tail (a record cut short by a crash, or an operation that never finished) was dropped. */
    record TornTail(int characters) implements JournalEvent {
        public String type() {
            return "journal.torn";
        }

        public String message() {
            return "journal: dropped a torn tail (" + characters + " characters) left by a crash: a record cut"
                    + " short, or the start of an operation that never finished";
        }
    }

    record Replayed(int records, int devices, int bound) implements JournalEvent {
        public String type() {
            return "journal.replayed";
        }

        public String message() {
            return "journal: replayed " + records + " records: " + devices + " devices, " + bound + " bound;"
                    + " timers, work items and open files do not survive a restart";
        }
    }

    /** Something the journal holds was not brought back, for this reason. */
    record Skipped(String reason) implements JournalEvent {
        public String type() {
            return "journal.skipped";
        }

        public String message() {
            return "journal: " + reason;
        }
    }
}
