package dev.novahost.kernel.timer;

import java.util.OptionalLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A high-resolution timer ({@code struct hrtimer}): armed for a deadline, its callback runs on a timer
 * engine thread and may ask to be re-armed (a periodic timer does).
 *
 * <p>Invariant: once {@link #cancel()} returns, the callback is not running and never runs again,
 * even for a periodic timer racing its own re-arm: cancel is {@code hrtimer_cancel} followed by
 * {@code timer_shutdown_sync}, so a cancelled timer stays cancelled.
 *
 * <p>Thread-safety: state changes happen under the timer's own lock; the callback runs without it.
 * A cancel that finds the callback running waits on the lock's condition until the callback returns
 * (unless the callback cancels its own timer, which would deadlock in the kernel and here just marks
 * it cancelled). Re-arming happens under the lock only if no cancel arrived, which is what makes the
 * periodic re-arm and cancel race safe.
 *
 * <p>An expiry takes effect when {@code fire()} claims it from the engine under the timer's lock, not
 * when an engine thread takes the entry off the queue: in between neither lock is held, so the timer
 * may be cancelled or armed again, and another engine thread may take the new expiry. An expiry that
 * finds the timer not armed, or cannot claim (a later arming superseded it, or another engine thread's
 * {@code fire()} claimed it first), is stale and dropped: each arming runs the callback at most once,
 * never before its deadline. The callback never runs concurrently with itself: an expiry that finds it
 * running is left unclaimed, and when the callback returns, {@code finish()} takes back an arming made
 * meanwhile, still queued or already taken by an engine thread (that has reached {@code fire()} or not),
 * and arms the timer again for its deadline, as the kernel keeps such a timer waiting on the CPU base
 * that is running its callback. So a start() that returns true is never lost: the callback runs after
 * it, unless a cancel comes first.
 *
 * <p>A {@code start()} that finds a cancel in progress (one waiting for the running callback, or a
 * callback that cancelled its own timer and has not returned yet) waits on the same condition until
 * that cancel is over and then arms, so a start racing {@link #cancelKeepingUsable()} takes effect
 * after it, as if the cancel were one step. Called from the timer's own callback it cannot wait, as the
 * cancel is waiting for that very callback: it returns false, and the run the cancel stopped is not
 * re-armed. So start() may block like cancel(), and a caller of either must not hold a lock that the
 * callback takes.
 */
public final class HrTimer {

    public enum State { INACTIVE, ARMED, RUNNING, EXPIRED, CANCELLED }

    /** The callback: returns the next deadline to re-arm for, or empty to stop ({@code HRTIMER_RESTART}). */
    @FunctionalInterface
    public interface Callback {
        OptionalLong run(HrTimer timer);
    }

    private final TimerEngine engine;
    private final Callback callback;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final TimerEngine.Entry entry = new TimerEngine.Entry() {
        @Override
        protected void expire() {
            fire();
        }
    };
    private State state = State.INACTIVE;
    /** A cancel arrived while the callback ran: do not re-arm. Cleared when that run ends. */
    private boolean stopRequested;
    /** Shut down for good ({@code timer_shutdown}): never armed again. */
    private boolean shutdown;
    /** Cancels from other threads waiting for the running callback; a start() waits until they are done. */
    private int cancelsWaiting;
    private Thread runner;
    private long expirations;

    public HrTimer(TimerEngine engine, Callback callback) {
        this.engine = engine;
        this.callback = callback;
    }

    /**
     * {@code hrtimer_start}: arms (or re-arms) the timer for an absolute clock deadline. False once shut
     * down, or from its own callback while a cancel is in progress; waits for a cancel in progress when
     * called from anywhere else (see the class comment).
     */
    public boolean start(long deadline) {
        lock.lock();
        try {
            while (!shutdown && cancelInProgress() && runner != Thread.currentThread()) {
                idle.awaitUninterruptibly();
            }
            if (shutdown || stopRequested) {
                return false;
            }
            if (state != State.RUNNING) {
                state = State.ARMED;
            }
            engine.schedule(entry, deadline);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code hrtimer_cancel} then {@code timer_shutdown_sync}: stops the timer for good and waits for a
     * running callback to return. Returns whether the timer was armed or running.
     */
    public boolean cancel() {
        return cancel(true);
    }

    /** {@code hrtimer_cancel} alone: as {@link #cancel()}, but the timer may be started again. */
    public boolean cancelKeepingUsable() {
        return cancel(false);
    }

    private boolean cancel(boolean forGood) {
        lock.lock();
        try {
            shutdown |= forGood;
            boolean active = state == State.ARMED || state == State.RUNNING;
            engine.cancel(entry);
            while (state == State.RUNNING) {
                stopRequested = true;
                if (runner == Thread.currentThread()) {
                    return true; // cancelled from its own callback: finish() settles the state
                }
                cancelsWaiting++;
                idle.awaitUninterruptibly();
                cancelsWaiting--;
            }
            if (shutdown) {
                state = State.CANCELLED;
            } else if (state == State.ARMED) {
                state = State.INACTIVE;
            }
            idle.signalAll();
            return active;
        } finally {
            lock.unlock();
        }
    }

    /** The run in progress must not re-arm, or a cancel has yet to settle the state after it. */
    private boolean cancelInProgress() {
        return stopRequested || cancelsWaiting > 0;
    }

    public State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** Armed or running: the kernel's {@code hrtimer_active}. */
    public boolean isActive() {
        var s = state();
        return s == State.ARMED || s == State.RUNNING;
    }

    public long expirations() {
        lock.lock();
        try {
            return expirations;
        } finally {
            lock.unlock();
        }
    }

    /** The deadline it is armed for, if armed. */
    public OptionalLong deadline() {
        lock.lock();
        try {
            return state == State.ARMED ? OptionalLong.of(entry.deadline()) : OptionalLong.empty();
        } finally {
            lock.unlock();
        }
    }

    private void fire() {
        lock.lock();
        try {
            if (state != State.ARMED || !engine.claim(entry)) {
                return; // running: left for finish() to claim, never alongside the callback; else stale
            }
            state = State.RUNNING;
            runner = Thread.currentThread();
            expirations++;
        } finally {
            lock.unlock();
        }
        OptionalLong restart = OptionalLong.empty();
        try {
            restart = callback.run(this);
        } finally {
            finish(restart);
        }
    }

    private void finish(OptionalLong restart) {
        lock.lock();
        try {
            runner = null;
            if (stopRequested) {
                stopRequested = false;
                state = shutdown ? State.CANCELLED : State.INACTIVE;
            } else if (restart.isPresent()) {
                state = State.ARMED;
                engine.schedule(entry, restart.getAsLong()); // supersedes a re-arm made while the callback ran
            } else if (engine.cancel(entry) || engine.claim(entry)) {
                // re-armed while the callback ran, still queued or already due: armed again for it
                state = State.ARMED;
                engine.schedule(entry, entry.deadline());
            } else {
                state = State.EXPIRED;
            }
            idle.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
