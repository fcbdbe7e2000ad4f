package dev.novahost.kernel.task;

/**
 * Who runs on this thread, by the name every report uses (lockdep's "NAME is trying to acquire lock",
 * the hung-task detector's "INFO: task NAME blocked", the owner of the driver lock): the innermost of
 * a driver callback running here ({@code nova_timer_fn timer 3}, {@code nova_work_fn work 4},
 * {@code irq/nova 0000:01:00.0}) and the task this thread runs ({@code unbind 0000:01:00.0}), else the
 * thread's own name. The one home of that name.
 *
 * <p>Cost: a callback's run sets and clears one {@code ThreadLocal}; the name is only built when a
 * report or a contended lock asks for it.
 *
 * <p>Thread-safety: per thread.
 */
public final class CurrentTask {

    private static final ThreadLocal<String> CALLBACK = new ThreadLocal<>();
    /** Made once: closing the outermost callback's scope allocates nothing. */
    private static final Running CLEAR = CALLBACK::remove;

    private CurrentTask() {
    }

    /** A callback running on this thread, until the returned scope closes (callbacks nest on virtual time). */
    @FunctionalInterface
    public interface Running extends AutoCloseable {
        @Override
        void close();
    }

    /** {@code name} runs on this thread until the scope closes; then whoever ran before it again. */
    public static Running callback(String name) {
        String outer = CALLBACK.get();
        CALLBACK.set(name);
        return outer == null ? CLEAR : () -> CALLBACK.set(outer);
    }

    /** The name of whoever runs on this thread now. */
    public static String name() {
        String callback = CALLBACK.get();
        if (callback != null) {
            return callback;
        }
        Task task = TaskWait.currentTask();
        return task != null ? task.name() : Thread.currentThread().getName();
    }
}
