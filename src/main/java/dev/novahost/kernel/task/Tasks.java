package dev.novahost.kernel.task;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.TaskEvent;
import dev.novahost.kernel.hungtask.HungTaskDetector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host's tasks: operations that may block in the kernel (an unbind waiting for a timer callback, a
 * revocation waiting for readers), each run on a virtual thread of its own so that the caller can stop
 * waiting and ask again later, as {@code /proc} lets one look at a task in {@code D}.
 *
 * <p>Bounded twice: at most {@code limits.running()} run at once (one more is {@code EAGAIN}, nothing
 * started), and at most {@code limits.kept()} are remembered; past it the oldest done ones are forgotten.
 * Since {@code kept >= running}, there is always a done task to forget when the map is over its bound.
 * When a task whose caller stopped waiting ends, the log gets a {@link TaskEvent.Done} (QEMU's
 * {@code DEVICE_DELETED}); one its caller saw end answered that caller, and the log is as it was
 * before tasks existed.
 *
 * <p>Thread-safety: the map, the id counter and the running count are guarded by {@code this}; a task
 * states its own.
 */
public final class Tasks {

    private final TaskLimits limits;
    private final EventLog log;
    private final HungTaskDetector hungTasks;
    private final Map<Long, Task> tasks = new LinkedHashMap<>();
    private long nextId = 1;
    private int running;

    public Tasks(TaskLimits limits, EventLog log) {
        this(limits, log, null);
    }

    /** Tasks whose waits ({@link TaskWait}) are reported to {@code hungTasks} while they block. */
    public Tasks(TaskLimits limits, EventLog log, HungTaskDetector hungTasks) {
        this.limits = limits;
        this.log = log;
        this.hungTasks = hungTasks;
    }

    /**
     * Starts {@code operation} as a task named {@code name}; {@code EAGAIN} when as many are running as
     * the host allows.
     */
    public Task start(String name, Runnable operation) {
        Task task;
        synchronized (this) {
            if (running >= limits.running()) {
                throw KernelException.of(Errno.EAGAIN, running + " tasks are running, the most the host allows"
                        + " (nova.max-running-tasks); retry when one is done (GET /api/v1/tasks)");
            }
            running++;
            task = new Task(nextId++, name, hungTasks);
            tasks.put(task.id(), task);
            forgetOldestDone();
        }
        Thread.ofVirtual().name("task " + task.id()).start(() -> run(task, operation));
        return task;
    }

    private void run(Task task, Runnable operation) {
        try {
            TaskWait.runAs(task, operation);
            task.succeeded();
        } catch (RuntimeException e) {
            task.failed(e);
        } finally {
            synchronized (this) {
                running--;
            }
            try {
                if (task.end()) {
                    var result = task.result().orElseThrow();
                    log.emit(new TaskEvent.Done(task.id(), task.name(), result.errno(), result.detail()));
                }
            } finally {
                task.release();
            }
        }
    }

    private void forgetOldestDone() {
        var oldest = tasks.values().iterator();
        while (tasks.size() > limits.kept() && oldest.hasNext()) {
            if (oldest.next().status().state() == TaskState.DONE) {
                oldest.remove();
            }
        }
    }

    /** {@code ENOENT} (not found) for an id no task has, or one forgotten. */
    public synchronized Task get(long id) {
        var task = tasks.get(id);
        if (task == null) {
            throw KernelException.notFound(Errno.ENOENT, "No task " + id
                    + " (never started, or done and forgotten: the host keeps the last " + limits.kept() + ")");
        }
        return task;
    }

    /** The tasks remembered, oldest first. */
    public synchronized List<Task> all() {
        return new ArrayList<>(tasks.values());
    }

    public TaskLimits limits() {
        return limits;
    }
}
