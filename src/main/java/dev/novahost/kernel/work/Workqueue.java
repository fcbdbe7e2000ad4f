package dev.novahost.kernel.work;

import dev.novahost.kernel.timer.TimerEngine;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A workqueue ({@code alloc_workqueue}): work items queued on it run on the timer engine's threads,
 * as soon as possible and never two runs of one item at once.
 *
 * <p>{@link #destroy()} is {@code destroy_workqueue}: it drains what is queued or running (work that
 * re-queues itself or other work while draining is allowed and drained too), then the queue is dead.
 * It does not wait for delayed work whose timer has not fired yet; when that timer fires it finds a
 * dead queue.
 *
 * <p>Thread-safety: the set of items in flight (pending or running) and the state are guarded by
 * {@code this}. An item is in the set from its queueing until its last run ends, and the queue dies only
 * in the same step that finds the set empty, so no chained queueing can slip in between.
 */
public final class Workqueue {

    private final String name;
    private final TimerEngine engine;
    /** Items pending or running. */
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
        if (engine.isVirtual()) {
            // On virtual time nothing runs unless someone runs it: the destroyer drains the queue itself.
            engine.advanceTo(engine.clock().nanoTime());
        }
        for (List<WorkItem> batch = inFlightOrDie(); !batch.isEmpty(); batch = inFlightOrDie()) {
            for (WorkItem item : batch) {
                item.flush();
            }
        }
    }

    /** The items still in flight; when there are none the queue dies, in the same step. */
    private synchronized List<WorkItem> inFlightOrDie() {
        if (pending.isEmpty()) {
            dead = true;
        }
        return List.copyOf(pending);
    }

    /** An item is queued here (and stays until its last run ends); false when the queue is dead. */
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
