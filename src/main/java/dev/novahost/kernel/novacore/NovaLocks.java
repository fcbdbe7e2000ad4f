package dev.novahost.kernel.novacore;

import dev.novahost.kernel.lockdep.LockClass;
import dev.novahost.kernel.lockdep.Lockdep;
import dev.novahost.kernel.task.TaskWait;
import java.util.function.Supplier;

/**
 * nova-core's callbacks and waits as lockdep sees them (docs/DEADLOCKS.md): a running callback holds its
 * class, and a synchronous cancel or free waits for it, which is taking and releasing the same class
 * ({@code lock_map_acquire} + {@code lock_map_release}, as {@code del_timer_sync} and {@code flush_work}
 * are annotated). Classes, not instances: one order seen on one timer stands for every timer.
 */
record NovaLocks(Lockdep lockdep, LockClass timerCallback, LockClass workFunction, LockClass irqHandler,
                 LockClass driverLock) {

    NovaLocks(Lockdep lockdep) {
        this(lockdep, lockdep.lockClass("(hrtimer)nova_timer_fn"), lockdep.lockClass("(work_completion)nova_work_fn"),
                lockdep.lockClass("(irq)nova"), lockdep.lockClass("&nd->lock"));
    }

    /**
     * A synchronous wait at call site {@code call} for {@code object}, which runs while holding
     * {@code waitedFor}: lockdep sees the class taken and released here, and the current task (if any)
     * shows {@code D} on {@code call(object)} until the returned scope closes.
     */
    TaskWait waitFor(LockClass waitedFor, String call, Object object) {
        lockdep.waitFor(waitedFor, call);
        return TaskWait.on(call, object);
    }

    /** As above, and {@code holder} names who runs what the task waits for, as known (hung-task reports). */
    TaskWait waitFor(LockClass waitedFor, String call, Object object, Supplier<String> holder) {
        lockdep.waitFor(waitedFor, call);
        return TaskWait.on(call, object, holder);
    }

    /** {@code (wq_completion)name}: held by every work function of that queue while it runs. */
    LockClass workqueue(String name) {
        return lockdep.lockClass("(wq_completion)" + name);
    }
}
