package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.time.Duration;

/**
 * How long each run of a timer callback or work function takes before it does its action, as a
 * handler that waits ({@code mdelay}, {@code msleep}) would. It keeps the callback in flight, so that a
 * race window a few microseconds wide on the live host (the gap between {@code wrongCancelOrder}'s two
 * cancels) is wide enough to hit with curl: what {@code start-callback} does in a scenario, on real time.
 *
 * <p>Bounded by {@link #MAX_NS}: an unbind waits for a callback in flight ({@code hrtimer_cancel},
 * {@code cancel_work_sync}), so a delay past the bound is {@code EINVAL} rather than an unbind that
 * hangs. While it elapses the run holds one of the timer engine's threads, as a slow handler holds its
 * CPU: other callbacks due meanwhile run late. On virtual time (scenarios) it takes no time.
 */
public record CallbackDelay(long ns) {

    /** One second: wide enough for any race a person drives by hand, short enough to wait out. */
    public static final long MAX_NS = 1_000_000_000L;

    public static final CallbackDelay NONE = new CallbackDelay(0);

    public CallbackDelay {
        if (ns < 0 || ns > MAX_NS) {
            throw KernelException.of(Errno.EINVAL, "holdNs must be between 0 and " + MAX_NS + " (1 s), was " + ns);
        }
    }

    /** Runs on the callback's thread: the callback takes this long. An interrupt (engine shutdown) cuts it short. */
    void elapse(NovaContext ctx) {
        if (ns == 0 || ctx.engine().isVirtual()) {
            return;
        }
        try {
            Thread.sleep(Duration.ofNanos(ns));
        } catch (InterruptedException shutdown) {
            Thread.currentThread().interrupt();
        }
    }
}
