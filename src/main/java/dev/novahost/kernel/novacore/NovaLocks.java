package dev.novahost.kernel.novacore;

import dev.novahost.kernel.lockdep.LockClass;
import dev.novahost.kernel.lockdep.Lockdep;

/**
 * nova-core's callbacks and waits as lockdep sees them (docs/DEADLOCKS.md): a running callback holds its
 * class, and a synchronous cancel or free waits for it, which is taking and releasing the same class
 * ({@code lock_map_acquire} + {@code lock_map_release}, as {@code del_timer_sync} and {@code flush_work}
 * are annotated). Classes, not instances: one order seen on one timer stands for every timer.
 */
record NovaLocks(Lockdep lockdep, LockClass timerCallback, LockClass workFunction, LockClass irqHandler) {

    NovaLocks(Lockdep lockdep) {
        this(lockdep, lockdep.lockClass("(hrtimer)nova_timer_fn"), lockdep.lockClass("(work_completion)nova_work_fn"),
                lockdep.lockClass("(irq)nova"));
    }

    /** {@code (wq_completion)name}: held by every work function of that queue while it runs. */
    LockClass workqueue(String name) {
        return lockdep.lockClass("(wq_completion)" + name);
    }
}
