package dev.novahost.kernel.task;

/**
 * Whether this thread is a simulated CPU that a scheduler watches: a scenario's CPU, which its
 * scheduler sees asleep in a wait of the model (the hung-task detector's entry) and whose wait the end
 * of the run breaks ({@code Kernel.close}). On virtual time a wait that only another thread could end is
 * abandoned at once on any other thread, since it would hang the thread that advances the clock for
 * good; on a watched CPU it really blocks, so that a scenario can show the deadlock and its hung-task
 * report at the virtual timeout.
 *
 * <p>Thread-safety: per thread; a CPU marks itself when it starts, and the mark ends with the thread.
 */
public final class WatchedCpu {

    private static final ThreadLocal<Boolean> WATCHED = ThreadLocal.withInitial(() -> false);

    private WatchedCpu() {
    }

    /** Marks the calling thread, for the rest of its life, as a CPU whose waits its scheduler watches. */
    public static void markThisThread() {
        WATCHED.set(true);
    }

    public static boolean isThisThread() {
        return WATCHED.get();
    }
}
