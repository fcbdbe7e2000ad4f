package dev.novahost.kernel.task;

/**
 * A known wait of the current task, as a scope: the call site that is about to block
 * ({@code hrtimer_cancel}, {@code cancel_work_sync}, a revocation) opens one, so that the task shows
 * {@code D} and what it waits for until the scope closes; then the task shows what it showed before
 * (an outer wait, or running). Waits nest: an unload's {@code module_exit} cancels timers.
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
    private static final TaskWait NONE = new TaskWait(null, null);

    private final Task task;
    private final Task.Status before;

    private TaskWait(Task task, Task.Status before) {
        this.task = task;
        this.before = before;
    }

    /**
     * The current task, if any, waits in {@code call} for {@code object} (shown {@code call(object)};
     * the object's {@code toString} is read only when someone reads the task).
     */
    public static TaskWait on(String call, Object object) {
        Task task = CURRENT.get();
        if (task == null) {
            return NONE;
        }
        return new TaskWait(task, task.block(call, object));
    }

    @Override
    public void close() {
        if (task != null) {
            task.restore(before);
        }
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
