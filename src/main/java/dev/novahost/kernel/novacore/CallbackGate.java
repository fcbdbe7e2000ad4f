package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;

/**
 * Where a {@code block} callback waits to be released: one run at a time blocks here until
 * {@link #release(Action, String)} ({@code POST .../release}) or a host reset breaks the wait. While it waits it is
 * blocked in the hung-task detector's eyes, waiting for "release of timer 3".
 *
 * <p>Thread-safety: guarded by {@code this}.
 */
final class CallbackGate {

    private final NovaContext ctx;
    private final DriverObject object;
    private final long born;
    private final String releasedBy;
    private boolean blocked;
    private boolean released;

    /** {@code route} is where userspace releases it, which the hung-task report names as the holder. */
    CallbackGate(NovaContext ctx, DriverObject object, long born, String route) {
        this.ctx = ctx;
        this.object = object;
        this.born = born;
        this.releasedBy = "userspace (POST " + route + ")";
    }

    /** Runs on the callback's thread as {@code task}: blocks until released; false when the host broke the wait. */
    synchronized boolean pass(String task) {
        blocked = true;
        released = false;
        try {
            return ctx.waits().await(this, born, () -> released, object.owner().address(), task,
                    "release of " + object.name(), () -> releasedBy);
        } finally {
            blocked = false;
        }
    }

    /**
     * {@code release} of an object whose callback does {@code action}: lets the blocked run go. {@code EINVAL}
     * for another action than {@code block}, whose {@code callback} ("callback", "work function") never
     * waits here, or when no run is blocked now.
     */
    void release(Action action, String callback) {
        if (action != Action.BLOCK) {
            throw KernelException.of(Errno.EINVAL, object.name() + " has the " + action.wireName()
                    + " action; only a block " + callback + " waits to be released");
        }
        releaseBlocked();
    }

    private synchronized void releaseBlocked() {
        if (!blocked) {
            throw KernelException.of(Errno.EINVAL, object.name()
                    + " is not blocked now; a block callback can be released only while it runs and waits");
        }
        released = true;
        notifyAll();
    }

    synchronized boolean isBlocked() {
        return blocked;
    }
}
