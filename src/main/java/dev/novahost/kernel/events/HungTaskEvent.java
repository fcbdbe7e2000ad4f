package dev.novahost.kernel.events;

import java.util.List;

/** khungtaskd's lines in the kernel log: a task blocked too long, the suppression of the rest, the panic. */
public sealed interface HungTaskEvent extends KernelEvent {

    @Override
    default String device() {
        return "";
    }

    /**
     * A task in state D for longer than the timeout: the kernel's report ("INFO: task NAME blocked for more
     * than N seconds.", then what it waits for and its holder), one log line holding all of its lines.
     */
    record Hung(String task, String waitingFor, String holder, long blockedNs, List<String> lines)
            implements HungTaskEvent {

        public Hung {
            lines = List.copyOf(lines);
        }

        public String type() {
            return "khungtaskd.report";
        }

        @Override
        public String object() {
            return task;
        }

        public String message() {
            return String.join("\n", lines);
        }
    }

    /** The warnings limit is reached: this line, once, and no more reports until a reset. */
    record Suppressed(String task, String line) implements HungTaskEvent {
        public String type() {
            return "khungtaskd.suppressed";
        }

        @Override
        public String object() {
            return task;
        }

        public String message() {
            return line;
        }
    }

    /** {@code hung_task_panic}: the host is marked panicked by this task until a reset; it keeps answering. */
    record Panic(String task) implements HungTaskEvent {
        public String type() {
            return "khungtaskd.panic";
        }

        @Override
        public String object() {
            return task;
        }

        public String message() {
            return "Kernel panic - not syncing: hung_task: blocked tasks (" + task + "); the host is marked panicked"
                    + " until a reset";
        }
    }

    /** A host reset cleared the panic mark. */
    record PanicCleared() implements HungTaskEvent {
        public String type() {
            return "khungtaskd.panic_cleared";
        }

        public String message() {
            return "hung_task: panic mark cleared by a host reset";
        }
    }
}
