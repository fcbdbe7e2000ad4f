package dev.novahost.kernel.novacore;

import dev.novahost.kernel.lockdep.Lockdep;
import dev.novahost.kernel.task.CurrentTask;

/**
 * {@code &nd->lock}: the mutex in nova-core's driver data, which {@code remove()} takes when a bug says
 * so, callbacks with the {@code lock} action take for their run, and the IRQ handler takes on every run.
 * A kernel mutex: not recursive (taking it twice on one thread waits for ever, after lockdep has said
 * so), and a contended acquisition really blocks, as {@code D}, so that a deadlock really happens.
 *
 * <p>Taking it validates with lockdep first, so a cycle is reported before anything blocks; while it is
 * contended the waiter is blocked in the hung-task detector's eyes ({@code &nd->lock of ADDRESS}, held
 * by its owner). A host reset breaks the wait ({@link StuckWaits}): then {@link Held#acquired()} is false
 * and the caller goes on without the lock.
 *
 * <p>Thread-safety: guarded by {@code this}; the owner's name is volatile, for reports from any thread.
 */
final class DriverLock {

    /** The lock held, until closed; a broken wait holds nothing and closing it does nothing. */
    final class Held implements AutoCloseable {
        private final Lockdep.Acquired lockdep;
        private final boolean acquired;

        private Held(Lockdep.Acquired lockdep, boolean acquired) {
            this.lockdep = lockdep;
            this.acquired = acquired;
        }

        boolean acquired() {
            return acquired;
        }

        @Override
        public void close() {
            if (acquired) {
                unlock();
                lockdep.close();
            }
        }
    }

    private final NovaContext ctx;
    private final String address;
    private final String name;
    private final long born;
    private Thread ownerThread;
    private volatile String owner;

    DriverLock(NovaContext ctx, String address) {
        this.ctx = ctx;
        this.address = address;
        this.name = "&nd->lock of " + address;
        this.born = ctx.waits().epoch();
    }

    /** {@code mutex_lock(&nd->lock)} at {@code where}. */
    Held lock(String where) {
        var validated = ctx.locks().lockdep().acquire(ctx.locks().driverLock(), where);
        String me = CurrentTask.name();
        synchronized (this) {
            if (ownerThread != null && !ctx.waits().await(this, born, () -> ownerThread == null, address, me, name,
                    () -> owner)) {
                validated.close();
                return new Held(validated, false);
            }
            ownerThread = Thread.currentThread();
            owner = me;
        }
        return new Held(validated, true);
    }

    private synchronized void unlock() {
        ownerThread = null;
        owner = null;
        notifyAll();
    }

    long born() {
        return born;
    }

    /** Who holds it now ({@code nova_timer_fn timer 3}), or null. */
    String owner() {
        return owner;
    }

    @Override
    public String toString() {
        return name;
    }
}
