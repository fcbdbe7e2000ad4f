package dev.novahost.kernel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Time that moves only when told: scenarios and tests advance it explicitly (through the timer
 * engine, so that every callback due on the way runs at its own deadline).
 *
 * <p>Thread-safe; never goes backwards.
 */
public final class VirtualClock implements Clock {

    private final AtomicLong now = new AtomicLong();

    @Override
    public long nanoTime() {
        return now.get();
    }

    /** Moves time forward to {@code nanos}; an earlier value is ignored. */
    public void advanceTo(long nanos) {
        now.accumulateAndGet(nanos, Math::max);
    }
}
