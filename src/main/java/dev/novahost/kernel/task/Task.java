package dev.novahost.kernel.task;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.hungtask.HungTaskDetector;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One kernel operation run on a thread of its own ({@code unbind 0000:01:00.0}), so that whoever
 * started it can stop waiting without stopping it: running, {@code D} while it is blocked on a known
 * wait ({@link TaskWait}), done with its result.
 *
 * <p>Invariant: {@link #status()} is {@code DONE} only after the result is set, and {@link #awaitDone}
 * returns true only after that; a done task never changes again.
 *
 * <p>Thread-safety: only the task's own thread changes its status (one volatile field) and result
 * (written before the done status is published, which orders it for every reader of that status);
 * the hand-over between the task's end and a caller that stops waiting ({@link #detach}) is guarded
 * by {@code this}, so exactly one of them reports the result. Any thread may read a task.
 */
public final class Task {

    /**
     * What the task is doing, since when (wall-clock milliseconds): {@code call} and {@code object} name
     * the wait of a {@code D} task and are null otherwise.
     */
    public record Status(TaskState state, String call, Object object, long sinceMillis) {

        /** {@code hrtimer_cancel(timer 3)}, when blocked. */
        public Optional<String> blockedOn() {
            return call == null ? Optional.empty() : Optional.of(call + "(" + object + ")");
        }
    }

    /** How the operation ended: no errno for success, else the kernel's errno and sentence. */
    public record Result(Optional<Errno> errno, String detail) {

        static final Result OK = new Result(Optional.empty(), "");

        public boolean succeeded() {
            return errno.isEmpty();
        }
    }

    private final long id;
    private final String name;
    private final long startedMillis;
    /** Where its waits are reported while it is blocked ({@link TaskWait}); null for none. */
    private final HungTaskDetector hungTasks;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Status status;
    /** Written before the done status is published; read after it. */
    private Result result;
    private RuntimeException failure;
    /** Guarded by {@code this}: the caller gave up waiting ({@link #detach}), the task ended ({@link #end}). */
    private boolean detached;
    private boolean ended;

    Task(long id, String name, HungTaskDetector hungTasks) {
        this.id = id;
        this.name = name;
        this.hungTasks = hungTasks;
        this.startedMillis = System.currentTimeMillis();
        this.status = new Status(TaskState.RUNNING, null, null, startedMillis);
    }

    public long id() {
        return id;
    }

    public String name() {
        return name;
    }

    public long startedMillis() {
        return startedMillis;
    }

    HungTaskDetector hungTasks() {
        return hungTasks;
    }

    public Status status() {
        return status;
    }

    /** The result, once {@link #status()} says done. */
    public Optional<Result> result() {
        return status.state() == TaskState.DONE ? Optional.of(result) : Optional.empty();
    }

    /** Waits at most {@code timeout} for the operation to end; true if it has. */
    public boolean awaitDone(Duration timeout) {
        try {
            return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * For a caller that waited for it to end: the operation's own exception again, so that its answer
     * is the one the call would have given without a task.
     */
    public synchronized void rethrowFailure() {
        if (ended && failure != null) {
            throw failure;
        }
    }

    Status block(String call, Object object) {
        Status before = status;
        status = new Status(TaskState.D, call, object, System.currentTimeMillis());
        return before;
    }

    void restore(Status before) {
        status = before.state() == TaskState.D ? before : new Status(TaskState.RUNNING, null, null,
                System.currentTimeMillis());
    }

    void succeeded() {
        result = Result.OK;
    }

    void failed(RuntimeException e) {
        failure = e;
        result = e instanceof KernelException k ? new Result(Optional.of(k.errno()), k.getMessage())
                : new Result(Optional.of(Errno.EIO), name + " failed unexpectedly; the failure is in the host's log");
    }

    /**
     * Its caller stops waiting and will answer with the task instead of the result: true unless the
     * task ended first (then the caller answers with the result after all).
     */
    public synchronized boolean detach() {
        if (ended) {
            return false;
        }
        detached = true;
        return true;
    }

    /**
     * Publishes the end: the result, then the done status. True if its caller had stopped waiting,
     * so that the end must be told another way (the event log).
     */
    synchronized boolean end() {
        if (result == null) {
            result = new Result(Optional.of(Errno.EIO), name + " did not finish");
        }
        status = new Status(TaskState.DONE, null, null, System.currentTimeMillis());
        ended = true;
        return detached;
    }

    /** Lets the waiters go, after the end was published and logged. */
    void release() {
        done.countDown();
    }
}
