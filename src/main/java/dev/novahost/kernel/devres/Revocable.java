package dev.novahost.kernel.devres;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * A resource that can be revoked while other threads may be using it ({@code kernel::revocable} in
 * Rust for Linux).
 *
 * <p>Invariant: once {@link #revoke()} has returned true, no access is in flight and none can begin;
 * the release action runs exactly once, after the last access ended. Accesses go through
 * {@link #tryAccess()}, which hands out a scoped {@link Guard} (close it with try-with-resources) or
 * nothing once revocation has begun.
 *
 * <p>Memory ordering, as SRCU does it: a reader announces itself by incrementing a counter and only
 * then reads the {@code available} flag; the revoker clears the flag and only then reads the counters.
 * Both are volatile accesses, which the Java memory model orders totally, so either the revoker sees the
 * reader's increment and waits for it, or the reader sees the cleared flag and backs out. The counters
 * are striped over padded cells chosen by thread, so readers on different cores do not write one shared
 * cache line; a reader always decrements the cell it incremented, so every cell counts its own readers
 * and a scan that sees all cells at zero after the flag was cleared proves that every earlier reader has
 * finished.
 *
 * <p>Thread-safety: every method may be called from any thread. {@code revoke()} may block (it waits
 * for readers); {@code tryAccess()} never blocks and takes no lock.
 */
public final class Revocable<T> {

    private static final int STRIPES = 64;
    /** 16 longs = 128 bytes between cells: no two cells share a cache line, nor an adjacent-line prefetch pair. */
    private static final int STRIDE = 16;

    private final T resource;
    private final Consumer<? super T> release;
    private final LongConsumer waitObserver;
    private final AtomicLongArray readers = new AtomicLongArray(STRIPES * STRIDE);
    private final AtomicBoolean revoking = new AtomicBoolean();
    private volatile boolean available = true;

    /**
     * @param release      runs once, after revocation, when no access is in flight (e.g. {@code iounmap})
     * @param waitObserver told how many nanoseconds {@code revoke()} waited for accesses in flight
     */
    public Revocable(T resource, Consumer<? super T> release, LongConsumer waitObserver) {
        this.resource = resource;
        this.release = release;
        this.waitObserver = waitObserver;
    }

    /** A guard over the resource, or empty once revocation has begun. Never blocks. */
    public Optional<Guard<T>> tryAccess() {
        int cell = cell();
        readers.getAndIncrement(cell);
        if (!available) {
            readers.getAndDecrement(cell);
            return Optional.empty();
        }
        return Optional.of(new Guard<>(this, cell));
    }

    /**
     * The resource without a revocation check, for callers that hold a proof that revocation cannot
     * have begun (see {@link Devres#access}). Package-private: the proof is checked there.
     */
    T resourceUnchecked() {
        return resource;
    }

    public boolean isRevoked() {
        return !available;
    }

    /**
     * Makes every later {@link #tryAccess()} fail, waits for the guards already handed out to close,
     * then releases the resource. Returns whether this call did the revoking: a second caller, even a
     * concurrent one, returns false at once without waiting again.
     */
    public boolean revoke() {
        if (!revoking.compareAndSet(false, true)) {
            return false;
        }
        available = false;
        long start = System.nanoTime();
        awaitReaders();
        waitObserver.accept(System.nanoTime() - start);
        release.accept(resource);
        return true;
    }

    private void awaitReaders() {
        for (int i = 0; i < STRIPES; i++) {
            int cell = i * STRIDE;
            for (int spins = 0; readers.get(cell) != 0; spins++) {
                backOff(spins);
            }
        }
    }

    /** Spin briefly (accesses are short), then yield, then park with a growing but bounded pause. */
    private static void backOff(int spins) {
        if (spins < 128) {
            Thread.onSpinWait();
        } else if (spins < 256) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(Math.min(200_000L, 1_000L << Math.min(spins - 256, 8)));
        }
    }

    private static int cell() {
        long id = Thread.currentThread().threadId();
        int hash = (int) ((id * 0x9E3779B97F4A7C15L) >>> 58); // top 6 bits: 0..63
        return hash * STRIDE;
    }

    /**
     * One access in flight. Only the thread that got it may use and close it; closing twice is harmless.
     */
    public static final class Guard<T> implements AutoCloseable {

        private final Revocable<T> owner;
        private final int cell;
        private boolean closed;

        private Guard(Revocable<T> owner, int cell) {
            this.owner = owner;
            this.cell = cell;
        }

        public T get() {
            if (closed) {
                throw new IllegalStateException("guard used after close");
            }
            return owner.resource;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                owner.readers.getAndDecrement(cell);
            }
        }
    }
}
