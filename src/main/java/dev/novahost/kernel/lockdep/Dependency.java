package dev.novahost.kernel.lockdep;

/**
 * One order seen: {@code after} was acquired (or waited for) while {@code before} was held, by
 * {@code task}; {@code heldAt} and {@code takenAt} say where, in the kernel's words (the function that
 * took each). The first occurrence of an order is kept: it is the one the report explains.
 */
public record Dependency(LockClass before, LockClass after, String task, String heldAt, String takenAt) {

    /** One line of the report's chain: {@code -> #1 (&nd->lock): remove() ← hrtimer_cancel}. */
    String line(int index) {
        return "-> #" + index + " " + after + ": taken in " + takenAt + " by " + task + " while holding "
                + before + " (taken in " + heldAt + ")";
    }
}
