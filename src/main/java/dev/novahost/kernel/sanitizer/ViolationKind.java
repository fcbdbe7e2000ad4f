package dev.novahost.kernel.sanitizer;

import java.util.Locale;

/** The lifecycle rules the sanitizer watches (DESIGN.md §6), each with the kernel report it stands for. */
public enum ViolationKind {
    MMIO_AFTER_REVOKE(false, "BAR0 accessed after unbind revoked/unmapped it"),
    TIMER_AFTER_REMOVE(true, "timer callback ran after its device's remove()"),
    TIMER_FREE_ACTIVE(false, "ODEBUG: free active object type: hrtimer"),
    WORK_AFTER_REMOVE(true, "work item ran after its device's remove()"),
    WORK_FREE_ACTIVE(false, "ODEBUG: free active object type: work_struct"),
    IRQ_AFTER_REMOVE(true, "IRQ handler ran after its device's remove()"),
    EXEC_AFTER_UNLOAD(true, "instruction fetch from freed module text"),
    DEVRES_LEAK(false, "resource still held after unbind"),
    /** Lockdep's prediction from lock orders that each happened once; nothing need have blocked yet. */
    DEADLOCK_POSSIBLE(false, "possible circular locking dependency detected (lockdep)"),
    /** khungtaskd: a task blocked (state D) for longer than the hung-task timeout, reported again each timeout. */
    HUNG_TASK(false, "INFO: task blocked for more than the hung-task timeout (khungtaskd)");

    private final boolean taints;
    private final String summary;

    ViolationKind(boolean taints, String summary) {
        this.taints = taints;
        this.summary = summary;
    }

    /** Whether an {@code occurred} violation of this kind taints the kernel. */
    public boolean taints() {
        return taints;
    }

    public String summary() {
        return summary;
    }

    /** The wire name: {@code mmio_after_revoke}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
