package dev.novahost.kernel.task;

import dev.novahost.kernel.hungtask.HungTaskDetector;
import java.util.function.Supplier;

/**
 * A known wait of the current task, as a scope: the call site that is about to block
 * ({@code hrtimer_cancel}, {@code cancel_work_sync}, a revocation) opens one, so that the task shows
 * {@code D} and what it waits for until the scope closes; then the task shows what it showed before
 * (an outer wait, or running). Waits nest: an unload's {@code module_exit} cancels timers.
 *
 * <p>While it is open the task is also blocked in the eyes of the hung-task detector its {@link Tasks}
 * report to (the task's name, {@code call(object)}, and the holder of what it waits for, when the call
 * site knows it), so that a task stuck in {@code D} for the timeout is reported.
 *
 * <p>Cost: on a thread that runs no task (a timer callback, a scenario, a test) opening a wait is one
 * {@code ThreadLocal} read and returns a shared constant, so annotating a hot teardown path moves
 * nothing. On a task's thread it is one small object and a volatile write on open and on close.
 *
 * <p>Thread-safety: a wait is opened and closed on its task's own thread; readers of the task see its
 * state through {@link Task}'s volatile field.
 */
public final class TaskWait implements AutoCloseable {

    private static final ThreadLocal<Task> CURRENT = new ThreadLocal<>();
    private static final TaskWait NONE = new TaskWait(null, null, null);

    private final Task task;
    private final Task.Status before;
    private final HungTaskDetector.Blocked blocked;

    private TaskWait(Task task, Task.Status before, HungTaskDetector.Blocked blocked) {
        this.task = task;
        this.before = before;
        this.blocked = blocked;
    }

    /**
     * The current task, if any, waits in {@code call} for {@code object} (shown {@code call(object)};
     * the object's {@code toString} is read only when someone reads the task).
     */
    public static TaskWait on(String call, Object object) {
        return on(call, object, () -> null);
    }

    /**
     * As {@link #on(String, Object)}, and {@code holder} names who runs what it waits for
     * ({@code nova_timer_fn timer 3}), as known when the hung-task detector asks (null: unknown).
     */
    public static TaskWait on(String call, Object object, Supplier<String> holder) {
        Task task = CURRENT.get();
        if (task == null) {
            return NONE;
        }
        var before = task.block(call, object);
        var detector = task.hungTasks();
        var blocked = detector == null ? null : detector.block(task.name(), call + "(" + object + ")", holder);
        return new TaskWait(task, before, blocked);
    }

    @Override
    public void close() {
        if (task != null) {
            if (blocked != null) {
                blocked.close();
            }
            task.restore(before);
        }
    }

    /** The task this thread runs, or null. */
    static Task currentTask() {
        return CURRENT.get();
    }

    /** Runs {@code operation} as {@code task} on this thread, which must be the task's own. */
    static void runAs(Task task, Runnable operation) {
        CURRENT.set(task);
        try {
            operation.run();
        } finally {
            CURRENT.remove();
        }
    }
}
