package dev.novahost.kernel.timer;

import java.util.OptionalLong;

/**
 * A high-resolution timer ({@code struct hrtimer}): armed for a deadline, its callback runs on a timer
 * engine thread and may ask to be re-armed (a periodic timer does).
 *
 * <p>Invariant: once {@link #cancel()} returns, the callback is not running and never runs again,
 * even for a periodic timer racing its own re-arm: cancel is {@code hrtimer_cancel} followed by
 * {@code timer_shutdown_sync}, so a cancelled timer stays cancelled.
 *
 * <p>The timer is its own engine entry, as the kernel's hrtimer embeds its timerqueue node, and its
 * state is guarded by the engine's lock, as the kernel's by its clock base's lock: arming allocates
 * nothing beyond the timer and takes one lock, and drivers arm timers on hot paths.
 *
 * <p>Thread-safety: state changes happen under the engine's lock; the callback runs without it. A
 * cancel that finds the callback running waits on the engine's timers-idle condition until the callback
 * returns (unless the callback cancels its own timer, which would deadlock in the kernel and here just
 * marks it cancelled). Re-arming happens under the lock only if no cancel arrived, which is what makes
 * the periodic re-arm and cancel race safe.
 *
 * <p>An expiry takes effect as the engine takes the timer off its queue ({@code beginRun()}, under the
 * engine's lock): an armed timer is marked running there, for the thread that took it, so no start or
 * cancel comes between the two. The callback never runs concurrently with itself: a timer started again
 * while its callback runs is queued for the new deadline, and if that falls due while the callback still
 * runs, the engine drops that run; when the callback returns, {@code finish()} arms the timer again for
 * that deadline, as the kernel keeps such a timer waiting on the CPU base that is running its callback.
 * So a start() that returns true is never lost: the callback runs after it, unless a cancel comes first;
 * and each arming runs the callback at most once, never before its deadline.
 *
 * <p>A {@code start()} that finds a cancel in progress (one waiting for the running callback, or a
 * callback that cancelled its own timer and has not returned yet) waits on the same condition until
 * that cancel is over and then arms, so a start racing {@link #cancelKeepingUsable()} takes effect
 * after it, as if the cancel were one step. Called from the timer's own callback it cannot wait, as the
 * cancel is waiting for that very callback: it returns false, and the run the cancel stopped is not
 * re-armed. So start() may block like cancel(), and a caller of either must not hold a lock that the
 * callback takes.
 */
public final class HrTimer extends TimerEngine.Entry {

    public enum State { INACTIVE, ARMED, RUNNING, EXPIRED, CANCELLED }

    /** The callback: returns the next deadline to re-arm for, or empty to stop ({@code HRTIMER_RESTART}). */
    @FunctionalInterface
    public interface Callback {
        OptionalLong run(HrTimer timer);
    }

    private final TimerEngine engine;
    private final Callback callback;
    private State state = State.INACTIVE;
    /** A cancel arrived while the callback ran: do not re-arm. Cleared when that run ends. */
    private boolean stopRequested;
    /** Shut down for good ({@code timer_shutdown}): never armed again. */
    private boolean shutdown;
    /** Cancels from other threads waiting for the running callback; a start() waits until they are done. */
    private int cancelsWaiting;
    /** Started again while the callback ran: finish() arms it again for that start's deadline. */
    private boolean startedWhileRunning;
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
        var lock = engine.lock();
        lock.lock();
        try {
            while (!shutdown && cancelInProgress() && runner != Thread.currentThread()) {
                engine.awaitTimersIdle();
            }
            if (shutdown || stopRequested) {
                return false;
            }
            if (state == State.RUNNING) {
                startedWhileRunning = true;
            } else {
                state = State.ARMED;
            }
            engine.scheduleLocked(this, deadline);
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
        var lock = engine.lock();
        lock.lock();
        try {
            shutdown |= forGood;
            boolean active = state == State.ARMED || state == State.RUNNING;
            engine.cancelLocked(this);
            while (state == State.RUNNING) {
                stopRequested = true;
                if (runner == Thread.currentThread()) {
                    return true; // cancelled from its own callback: finish() settles the state
                }
                cancelsWaiting++;
                engine.awaitTimersIdle();
                cancelsWaiting--;
            }
            if (shutdown) {
                state = State.CANCELLED;
            } else if (state == State.ARMED) {
                state = State.INACTIVE;
            }
            engine.signalTimersIdle();
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
        var lock = engine.lock();
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
        var lock = engine.lock();
        lock.lock();
        try {
            return expirations;
        } finally {
            lock.unlock();
        }
    }

    /** The deadline it is armed for, if armed. */
    public OptionalLong deadline() {
        var lock = engine.lock();
        lock.lock();
        try {
            return state == State.ARMED ? OptionalLong.of(expires()) : OptionalLong.empty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code __run_hrtimer}'s first half, under the engine's lock as it takes the timer off the queue: an
     * armed timer is running from here, on the taking thread. A running one was started again while its
     * callback runs, and must not run alongside it: that run is dropped, and finish() arms it again.
     */
    @Override
    protected boolean beginRun() {
        if (state != State.ARMED) {
            return false;
        }
        state = State.RUNNING;
        runner = Thread.currentThread();
        expirations++;
        return true;
    }

    @Override
    protected void expire() {
        OptionalLong restart = OptionalLong.empty();
        try {
            restart = callback.run(this);
        } finally {
            finish(restart);
        }
    }

    private void finish(OptionalLong restart) {
        var lock = engine.lock();
        lock.lock();
        try {
            runner = null;
            boolean startedAgain = startedWhileRunning;
            startedWhileRunning = false;
            if (stopRequested) {
                stopRequested = false;
                state = shutdown ? State.CANCELLED : State.INACTIVE;
            } else if (restart.isPresent()) {
                state = State.ARMED;
                engine.scheduleLocked(this, restart.getAsLong()); // supersedes a start made while the callback ran
            } else if (startedAgain) {
                state = State.ARMED; // for that start's deadline: still queued, or its run dropped by beginRun()
                engine.scheduleLocked(this, expires());
            } else {
                state = State.EXPIRED;
            }
            engine.signalTimersIdle();
        } finally {
            lock.unlock();
        }
    }
}
