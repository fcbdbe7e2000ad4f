package dev.novahost.kernel.task;

/**
 * Where a {@link Task} is, in the words {@code ps} uses: running, {@code D} (an uninterruptible sleep:
 * blocked in the kernel on a known wait), or done. These words are the state's own, not
 * {@code WireWord}'s: {@code D} is the kernel's letter and is shown as such.
 */
public enum TaskState {
    RUNNING("running"),
    D("D"),
    DONE("done");

    private final String word;

    TaskState(String word) {
        this.word = word;
    }

    /** How the API shows it: {@code running}, {@code D}, {@code done}. */
    public String word() {
        return word;
    }
}
