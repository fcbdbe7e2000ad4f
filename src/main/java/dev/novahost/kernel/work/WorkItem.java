package dev.novahost.kernel.work;

import dev.novahost.kernel.timer.HrTimer;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.OptionalLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A work item ({@code struct work_struct}, or {@code delayed_work} when queued with a delay).
 *
 * <p>Invariants: an item is pending at most once (queueing a pending item returns
 * {@link QueueResult#ALREADY_PENDING}); it never runs concurrently with itself (queueing it while it
 * runs makes it pending again, to run after); once {@link #cancelSync()} returns it is neither pending,
 * nor running, nor able to re-queue itself, even if its function re-queues itself every time.
 *
 * <p>The item belongs to its workqueue from the queueing that made it pending until the run that leaves
 * it idle has returned (or a cancel took it back), so that {@link Workqueue#destroy()} drains running
 * work and whatever it chains, not only work still waiting. {@link #flush()} counts queueings: each one
 * ends as a run or is dropped by a cancel.
 *
 * <p>Thread-safety: state is guarded by the item's lock; the function runs without it. Cancel first
 * shuts the delay timer down without the lock held (the timer's callback queues this item, so holding
 * the lock there could deadlock), then waits on the lock's condition for a running function to end.
 */
public final class WorkItem {

    public enum State { IDLE, PENDING, RUNNING, CANCELLED }

    public enum QueueResult { QUEUED, ALREADY_PENDING, QUEUE_DEAD, CANCELLED }

    /** The work function; returns true to re-queue itself (self-requeueing work). */
    @FunctionalInterface
    public interface Function {
        boolean run(WorkItem item);
    }

    private final Workqueue queue;
    private final Function function;
    private final Consumer<WorkItem> deadQueue;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final HrTimer delay;
    private final TimerEngine.Entry entry = new TimerEngine.Entry() {
        @Override
        protected void expire() {
            execute();
        }
    };
    private State state = State.IDLE;
    private boolean pendingAgain;
    private boolean cancelling;
    private long queued;
    private long completed;
    /** Queueings a cancel took back before they ran: with {@code completed}, what flush waits on. */
    private long dropped;

    /**
     * @param deadQueue told when the delay timer fires and finds the queue destroyed: the
     *                  use-after-free that makes Rust limit delayed work to static queues
     */
    public WorkItem(Workqueue queue, Function function, Consumer<WorkItem> deadQueue) {
        this.queue = queue;
        this.function = function;
        this.deadQueue = deadQueue;
        this.delay = new HrTimer(queue.engine(), timer -> {
            if (queue() == QueueResult.QUEUE_DEAD) {
                this.deadQueue.accept(this);
            }
            return OptionalLong.empty();
        });
    }

    /** {@code queue_work}. */
    public QueueResult queue() {
        lock.lock();
        try {
            if (cancelling || state == State.CANCELLED) {
                return QueueResult.CANCELLED;
            }
            if (state == State.PENDING || (state == State.RUNNING && pendingAgain)) {
                return QueueResult.ALREADY_PENDING;
            }
            if (!queue.enqueue(this)) {
                return QueueResult.QUEUE_DEAD;
            }
            queued++;
            if (state == State.RUNNING) {
                pendingAgain = true;
            } else {
                state = State.PENDING;
                queue.engine().schedule(entry, queue.engine().clock().nanoTime());
            }
            return QueueResult.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /** {@code queue_delayed_work}: queued when the delay has passed. False if pending or already delayed. */
    public boolean queueDelayed(long delayNs) {
        lock.lock();
        try {
            if (cancelling || state == State.CANCELLED || state == State.PENDING || delay.isActive()) {
                return false;
            }
            return delay.start(queue.engine().clock().nanoTime() + delayNs);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code cancel_delayed_work_sync}: returns whether the item was pending, delayed or running. When it
     * returns the item is idle, even if its function re-queues itself; it may be queued again later
     * (that is the trap of cancelling work before the timer that queues it).
     */
    public boolean cancelSync() {
        return cancel(false);
    }

    /** {@code disable_delayed_work_sync}: as {@link #cancelSync()}, and the item can never be queued again. */
    public boolean disableSync() {
        return cancel(true);
    }

    private boolean cancel(boolean disable) {
        boolean wasActive;
        lock.lock();
        try {
            if (state == State.CANCELLED) {
                return false;
            }
            cancelling = true;
            // read now: a run that ends while the delay timer is shut down goes idle, seeing the cancel
            wasActive = state == State.PENDING || state == State.RUNNING;
        } finally {
            lock.unlock();
        }
        wasActive |= delay.cancelKeepingUsable();
        lock.lock();
        try {
            wasActive |= state == State.PENDING || state == State.RUNNING;
            if (state == State.PENDING) {
                queue.engine().cancel(entry);
            }
            while (state == State.RUNNING) {
                changed.awaitUninterruptibly();
            }
            pendingAgain = false;
            dropped = queued - completed;
            queue.dequeue(this);
            state = disable ? State.CANCELLED : State.IDLE;
            cancelling = disable;
            changed.signalAll();
            return wasActive;
        } finally {
            lock.unlock();
        }
    }

    /** {@code flush_work}: waits until every queueing made before this call has run (or the item is cancelled). */
    public void flush() {
        lock.lock();
        try {
            long target = queued;
            while (completed + dropped < target) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    public State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** Armed with a delay that has not yet passed. */
    public boolean isDelayed() {
        return delay.isActive();
    }

    public boolean isPending() {
        lock.lock();
        try {
            return state == State.PENDING || pendingAgain;
        } finally {
            lock.unlock();
        }
    }

    public long executions() {
        lock.lock();
        try {
            return completed;
        } finally {
            lock.unlock();
        }
    }

    private void execute() {
        lock.lock();
        try {
            if (state != State.PENDING) {
                return;
            }
            state = State.RUNNING;
        } finally {
            lock.unlock();
        }
        boolean requeue = false;
        try {
            requeue = function.run(this);
        } finally {
            finish(requeue);
        }
    }

    /**
     * The run is over: a re-queue asked for during the run, or by the function's result, makes the item
     * pending again in the same step, so that a draining queue never sees it idle in between.
     */
    private void finish(boolean requeue) {
        lock.lock();
        try {
            completed++;
            if (cancelling) {
                pendingAgain = false;
                state = State.IDLE; // the cancel settles the counts and takes it off the queue
            } else if (pendingAgain || (requeue && queue.enqueue(this))) {
                if (!pendingAgain) {
                    queued++;
                }
                pendingAgain = false;
                state = State.PENDING;
                queue.engine().schedule(entry, queue.engine().clock().nanoTime());
            } else {
                state = State.IDLE;
                queue.dequeue(this);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
