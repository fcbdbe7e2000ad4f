package dev.novahost.kernel.events;

import java.util.List;

/** The lock validator's lines in the kernel log. */
public sealed interface LockdepEvent extends KernelEvent {

    @Override
    default String device() {
        return "";
    }

    /**
     * A new lock order closed a cycle (or a task waited for itself): lockdep's report, one line of the log
     * holding all of its lines, as dmesg shows it. {@code recursive} for the second kind.
     */
    record CircularDependency(String task, boolean recursive, List<String> lines) implements LockdepEvent {

        public CircularDependency {
            lines = List.copyOf(lines);
        }

        public String type() {
            return recursive ? "lockdep.recursive" : "lockdep.circular";
        }

        @Override
        public String object() {
            return task;
        }

        public String message() {
            return String.join("\n", lines);
        }
    }
}
