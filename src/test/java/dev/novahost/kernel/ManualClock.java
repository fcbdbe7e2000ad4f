package dev.novahost.kernel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A virtual clock for tests: time moves only when the test says so, either explicitly
 * ({@link #advance}, {@link #set}) or by a fixed step on every read ({@link #stepOnEachRead}), which
 * lets a test place a PTIMER low-word wrap between two particular register reads.
 *
 * <p>Thread-safe: the time and the step are atomics; time never goes backwards unless a test
 * {@link #set sets} it back on purpose.
 */
public final class ManualClock implements Clock {

    private final AtomicLong now;
    private final AtomicLong step = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();

    public ManualClock(long start) {
        this.now = new AtomicLong(start);
    }

    /** Returns the current time, then moves it on by the step (zero unless {@link #stepOnEachRead} set one). */
    @Override
    public long nanoTime() {
        reads.incrementAndGet();
        return now.getAndAdd(step.get());
    }

    public void advance(long nanos) {
        now.addAndGet(nanos);
    }

    public void set(long nanos) {
        now.set(nanos);
    }

    /** What the next read will return, without reading (and so without stepping). */
    public long peek() {
        return now.get();
    }

    public void stepOnEachRead(long nanos) {
        step.set(nanos);
    }

    /** How many times the kernel has read this clock. */
    public long reads() {
        return reads.get();
    }
}
