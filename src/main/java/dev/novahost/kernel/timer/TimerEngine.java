package dev.novahost.kernel.timer;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The host's one source of deferred execution: a deadline-ordered queue of entries (timers, work,
 * interrupts) and the threads that run them when they fall due. Time and execution are separate: on
 * real time a few dispatcher threads wait for the earliest deadline; on virtual time nothing runs
 * until {@link #advanceTo} moves the clock, and then everything due runs on the caller's thread in
 * deadline order, ties broken by the order entries were scheduled in. That order is deterministic.
 *
 * <p>Entries must not block for long: like hrtimer callbacks, they run on the engine's own threads.
 * An entry that throws (an exception or an error such as a failed assertion) is logged and dropped;
 * the engine goes on, and no dispatcher thread dies with it.
 *
 * <p>Thread-safety: {@link #schedule} and {@link #cancel} may be called from any thread, including
 * from inside an entry. The queue is guarded by {@code lock}; entries run without it held. So between
 * a dispatcher taking an entry off the queue and the entry's {@code expire()} there is a window in
 * which other threads may schedule the entry again, and another dispatcher may take it again. An entry
 * that must run only for its latest schedule, and once for it, decides in {@link Entry#beginRun()},
 * which the dispatcher calls under the lock as it takes the entry, as the kernel's
 * {@code __run_hrtimer} marks the timer running under the clock base lock before it drops the lock.
 *
 * <p>The lock also guards the state of the engine's {@link HrTimer}s, as that base lock guards its
 * hrtimers: arming a timer takes one lock, and a timer's run begins with no second trip through it.
 *
 * <p>Over 300 lines on purpose: the real-time dispatchers and the virtual-time loop share the queue, its
 * lock and the run protocol above, and split apart they would each have to restate that protocol.
 */
public final class TimerEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TimerEngine.class.getName());

    /** Something that runs at a deadline. Its position in the queue is the engine's business. */
    public abstract static class Entry {
        long deadline;
        long seq;
        /** The entry's slot in the queue's heap, or -1; a slot may hold a dead (removed) entry. */
        int heapIndex = -1;
        /** In the queue and not removed: the entry will run. */
        boolean queued;

        /**
         * Under the engine's lock, as a dispatcher takes the entry off the queue, its deadline passed: whether
         * to run it, on that dispatcher's thread, right after the lock is released. False drops this run.
         */
        protected boolean beginRun() {
            return true;
        }

        /** Runs on an engine thread once the deadline has passed, if {@link #beginRun()} agreed. */
        protected abstract void expire();

        /** The clock deadline of its latest schedule ({@code hrtimer_get_expires}). */
        public final long expires() {
            return deadline;
        }
    }

    private final Clock clock;
    private final VirtualClock virtualClock;
    private final TimerQueue queue = new TimerQueue();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Signalled whenever an {@link HrTimer}'s callback returns or a cancel settles a timer. */
    private final Condition timersIdle = lock.newCondition();
    /** Guarded by {@code lock}, as the queue is. */
    private long sequence;
    /** The dispatcher waiting for the head's deadline, if any; guarded by {@code lock}. */
    private Thread leader;
    private final List<Thread> dispatchers = new ArrayList<>();
    private volatile boolean closed;
    /** Virtual time only: why {@link #halt} stopped delivery, or null while it goes on. */
    private volatile String halted;

    /**
     * Thrown by {@link #advanceTo} on an engine that was {@link #halt halted}: no entry runs any more.
     * No stack trace: it is the expected end of a run over its budget, not a bug.
     */
    public static final class Halted extends RuntimeException {

        Halted(String reason) {
            super(reason, null, false, false);
        }
    }

    private TimerEngine(Clock clock, VirtualClock virtualClock) {
        this.clock = clock;
        this.virtualClock = virtualClock;
    }

    /** An engine on real time, served by {@code threads} dispatcher threads. */
    public static TimerEngine realTime(Clock clock, int threads) {
        return realTime(clock, threads, "nova-timer-");
    }

    /** As {@link #realTime(Clock, int)}, its threads named {@code prefix} and a number. */
    public static TimerEngine realTime(Clock clock, int threads, String prefix) {
        var engine = new TimerEngine(clock, null);
        for (int i = 0; i < threads; i++) {
            var thread = Thread.ofPlatform().daemon().name(prefix + i).unstarted(engine::dispatch);
            engine.dispatchers.add(thread);
            thread.start();
        }
        return engine;
    }

    /** An engine on virtual time: entries run only inside {@link #advanceTo}, on the caller's thread. */
    public static TimerEngine virtual(VirtualClock clock) {
        return new TimerEngine(clock, clock);
    }

    public Clock clock() {
        return clock;
    }

    public boolean isVirtual() {
        return virtualClock != null;
    }

    /** Queues the entry to run at {@code deadline} (clock nanoseconds); re-queues it if it was queued. */
    public void schedule(Entry entry, long deadline) {
        lock.lock();
        try {
            scheduleLocked(entry, deadline);
        } finally {
            lock.unlock();
        }
    }

    /** {@link #schedule}, with the lock held. */
    void scheduleLocked(Entry entry, long deadline) {
        queue.remove(entry);
        entry.deadline = deadline;
        entry.seq = ++sequence;
        queue.add(entry);
        if (queue.peek() == entry) {
            leader = null; // the leader waits for an older, later head: a fresh wait is needed
            changed.signal();
        }
    }

    /** Takes the entry off the queue; false if it was not queued (never scheduled, already taken to run). */
    public boolean cancel(Entry entry) {
        lock.lock();
        try {
            return cancelLocked(entry);
        } finally {
            lock.unlock();
        }
    }

    /** {@link #cancel}, with the lock held. */
    boolean cancelLocked(Entry entry) {
        return queue.remove(entry);
    }

    /** The lock that guards the queue and the state of the engine's timers. */
    ReentrantLock lock() {
        return lock;
    }

    /** With the lock held: waits until a timer's callback returns or a cancel settles a timer. */
    void awaitTimersIdle() {
        timersIdle.awaitUninterruptibly();
    }

    /** With the lock held: wakes every thread in {@link #awaitTimersIdle()}, to look at its timer again. */
    void signalTimersIdle() {
        timersIdle.signalAll();
    }

    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Virtual time only: runs every entry due up to {@code target} in order, moving the clock to each
     * entry's deadline before it runs, then leaves the clock at {@code target}. Entries scheduled on
     * the way run too if they fall due by {@code target}. Returns how many ran.
     *
     * @throws Halted once the engine is {@link #halt halted}, before the next entry
     */
    public int advanceTo(long target) {
        if (virtualClock == null) {
            throw new IllegalStateException("advanceTo needs an engine on virtual time");
        }
        int ran = 0;
        for (Entry next = takeDueBy(target); next != null; next = takeDueBy(target)) {
            run(next);
            ran++;
        }
        virtualClock.advanceTo(target);
        return ran;
    }

    /**
     * Virtual time only, from any thread: stops delivery for good, as a scenario whose budget ran out
     * must stop however deep in a run it is. The entry running now finishes; every {@link #advanceTo},
     * on whatever thread, throws {@link Halted} before it takes another, now and later. The check costs
     * one volatile read per entry.
     */
    public void halt(String reason) {
        if (virtualClock == null) {
            throw new IllegalStateException("only an engine on virtual time can be halted");
        }
        halted = reason;
    }

    /** Takes the next entry to run by {@code target}, with the clock moved to its deadline; null if none. */
    private Entry takeDueBy(long target) {
        if (halted != null) {
            throw new Halted(halted);
        }
        lock.lock();
        try {
            for (var head = queue.peek(); head != null && head.deadline <= target; head = queue.peek()) {
                long deadline = head.deadline;
                if (take() != null) {
                    virtualClock.advanceTo(deadline);
                    return head;
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void dispatch() {
        while (!closed) {
            Entry due;
            lock.lock();
            try {
                due = awaitDue();
            } catch (InterruptedException stop) {
                return;
            } finally {
                lock.unlock();
            }
            if (due != null) {
                run(due);
            }
        }
    }

    /**
     * With the lock held: waits for the head's deadline and takes it, or returns null once closed.
     * Leader and followers, as {@code ScheduledThreadPoolExecutor}'s queue does: one dispatcher (the
     * leader) waits for the head's deadline, the others wait until they are signalled, so a deadline
     * wakes one thread, not all; a dispatcher that takes an entry hands the wait on to a follower.
     */
    private Entry awaitDue() throws InterruptedException {
        try {
            while (!closed) {
                var head = queue.peek();
                if (head == null) {
                    changed.await();
                    continue;
                }
                long wait = head.deadline - clock.nanoTime();
                if (wait <= 0) {
                    var taken = take();
                    if (taken != null) {
                        return taken;
                    }
                    continue;
                }
                if (leader != null) {
                    changed.await();
                    continue;
                }
                var me = Thread.currentThread();
                leader = me;
                try {
                    changed.awaitNanos(wait);
                } finally {
                    if (leader == me) {
                        leader = null;
                    }
                }
            }
            return null;
        } finally {
            if (leader == null && queue.peek() != null) {
                changed.signal(); // the next head needs a waiter
            }
        }
    }

    /** With the lock held: takes the head, which is due, off the queue to run it; null if its run is dropped. */
    private Entry take() {
        var head = queue.poll();
        return head.beginRun() ? head : null;
    }

    private static void run(Entry entry) {
        try {
            entry.expire();
        } catch (Throwable failure) { // as FutureTask does: an Error from one entry must not end a dispatcher
            LOG.log(System.Logger.Level.ERROR, "timer engine entry failed; the engine goes on", failure);
        }
    }

    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread thread : dispatchers) {
            thread.interrupt();
        }
    }
}
