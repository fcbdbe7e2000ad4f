package dev.novahost.scenario;

import java.util.concurrent.Semaphore;

/**
 * How many scenario requests may run at once. Past that a request is refused at once, not queued, so
 * no request thread ever waits behind a run and a burst of expensive runs cannot take every CPU: the
 * live host and its probes keep answering.
 *
 * <p>Thread-safety: a {@link Semaphore}; a slot is released once, by whoever took it.
 */
public final class RunSlots {

    private final int slots;
    private final Semaphore free;

    public RunSlots(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("at least one scenario run must be allowed at a time, was " + slots);
        }
        this.slots = slots;
        this.free = new Semaphore(slots);
    }

    /** As many as ask: for the command line, which runs one scenario. */
    static RunSlots unlimited() {
        return new RunSlots(Integer.MAX_VALUE);
    }

    /** Slots free now. */
    public int free() {
        return free.availablePermits();
    }

    /** A slot, given back by closing it; {@link Busy} when every slot is taken. */
    public Slot take() {
        if (!free.tryAcquire()) {
            throw new Busy(slots);
        }
        return free::release;
    }

    /** A slot taken; closing it gives it back. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /** Every slot is taken: come back when a run has ended. */
    public static final class Busy extends RuntimeException {

        Busy(int slots) {
            super("all " + slots + " scenario run slots are taken; try again when a run has ended", null, false, false);
        }
    }
}
