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
 * which other threads may schedule the entry again, and another dispatcher may take it again: an entry
 * that must run only for its latest schedule, and once for it, {@link #claim}s the run before acting.
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
         * Taken off the queue for its latest schedule, by a dispatcher on its way to {@link #expire()}, and
         * that run not yet claimed (see {@link TimerEngine#claim}). Guarded by the engine's lock.
         */
        boolean taken;

        /** Runs on an engine thread once the deadline has passed. */
        protected abstract void expire();

        public final long deadline() {
            return deadline;
        }
    }

    private final Clock clock;
    private final VirtualClock virtualClock;
    private final TimerQueue queue = new TimerQueue();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by {@code lock}, as the queue is. */
    private long sequence;
    /** The dispatcher waiting for the head's deadline, if any; guarded by {@code lock}. */
    private Thread leader;
    private final List<Thread> dispatchers = new ArrayList<>();
    private volatile boolean closed;

    private TimerEngine(Clock clock, VirtualClock virtualClock) {
        this.clock = clock;
        this.virtualClock = virtualClock;
    }

    /** An engine on real time, served by {@code threads} dispatcher threads. */
    public static TimerEngine realTime(Clock clock, int threads) {
        var engine = new TimerEngine(clock, null);
        for (int i = 0; i < threads; i++) {
            var thread = Thread.ofPlatform().daemon().name("nova-timer-" + i).unstarted(engine::dispatch);
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
            queue.remove(entry);
            entry.taken = false; // a run taken for the old schedule is stale now
            entry.deadline = deadline;
            entry.seq = ++sequence;
            queue.add(entry);
            if (queue.peek() == entry) {
                leader = null; // the leader waits for an older, later head: a fresh wait is needed
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes the entry off the queue; false if it was not queued (never scheduled, already taken to run). */
    public boolean cancel(Entry entry) {
        lock.lock();
        try {
            return queue.remove(entry);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Claims the run of the entry's latest schedule, which a dispatcher has taken off the queue: true
     * once per schedule, and only after its deadline has passed. False if there is none to claim: the
     * entry is queued, or was scheduled again since it was taken (the run to come is the new schedule's),
     * or its run was claimed already, by the expire() that took it or another. For an entry's owner,
     * under the owner's lock (which comes before the engine's).
     */
    boolean claim(Entry entry) {
        lock.lock();
        try {
            boolean claimed = entry.taken;
            entry.taken = false;
            return claimed;
        } finally {
            lock.unlock();
        }
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
     */
    public int advanceTo(long target) {
        if (virtualClock == null) {
            throw new IllegalStateException("advanceTo needs an engine on virtual time");
        }
        int ran = 0;
        for (Entry next = takeDueBy(target); next != null; next = takeDueBy(target)) {
            virtualClock.advanceTo(next.deadline);
            run(next);
            ran++;
        }
        virtualClock.advanceTo(target);
        return ran;
    }

    private Entry takeDueBy(long target) {
        lock.lock();
        try {
            var head = queue.peek();
            return head != null && head.deadline <= target ? take() : null;
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
                    return take();
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

    /** With the lock held: takes the head, which is due, off the queue to run it. */
    private Entry take() {
        var head = queue.poll();
        head.taken = true;
        return head;
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
