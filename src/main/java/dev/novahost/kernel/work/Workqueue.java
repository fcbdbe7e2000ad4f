package dev.novahost.kernel.work;

import dev.novahost.kernel.timer.TimerEngine;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A workqueue ({@code alloc_workqueue}): work items queued on it run on the timer engine's threads,
 * as soon as possible and never two runs of one item at once.
 *
 * <p>{@link #destroy()} is {@code destroy_workqueue}: it drains what is queued (work that re-queues
 * itself or other work while draining is allowed and drained too), then the queue is dead. It does not
 * wait for delayed work whose timer has not fired yet; when that timer fires it finds a dead queue.
 *
 * <p>Thread-safety: the set of pending items and the state are guarded by {@code this}.
 */
public final class Workqueue {

    private final String name;
    private final TimerEngine engine;
    private final Set<WorkItem> pending = new LinkedHashSet<>();
    private boolean dead;

    public Workqueue(String name, TimerEngine engine) {
        this.name = name;
        this.engine = engine;
    }

    public String name() {
        return name;
    }

    TimerEngine engine() {
        return engine;
    }

    public synchronized boolean isDead() {
        return dead;
    }

    /** Drains every queued item, chained re-queues included, then refuses all further work. */
    public void destroy() {
        for (List<WorkItem> batch = snapshot(); !batch.isEmpty(); batch = snapshot()) {
            for (WorkItem item : batch) {
                item.flush();
            }
        }
        synchronized (this) {
            dead = true;
        }
    }

    private synchronized List<WorkItem> snapshot() {
        return List.copyOf(pending);
    }

    /** An item becomes pending here; false when the queue is dead. */
    synchronized boolean enqueue(WorkItem item) {
        if (dead) {
            return false;
        }
        pending.add(item);
        return true;
    }

    synchronized void dequeue(WorkItem item) {
        pending.remove(item);
    }

    public synchronized int pendingCount() {
        return pending.size();
    }
}
