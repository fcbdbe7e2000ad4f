package dev.novahost.kernel.devres;

import dev.novahost.kernel.lockdep.LockClass;
import dev.novahost.kernel.lockdep.Lockdep;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.ToIntFunction;

/**
 * A resource that can be revoked while other threads may be using it ({@code kernel::revocable} in
 * Rust for Linux).
 *
 * <p>Invariant: once {@link #revoke()} has returned true, no access is in flight and none can begin;
 * the release action runs exactly once, after the last access ended. Revocation begins at one instant,
 * when the {@code available} flag is swapped down ({@code is_available.swap(false)} in Rust): that
 * swap both decides which revoke() does the revoking and refuses every later access, so a revoke()
 * that loses the race returns only after the resource is observably revoked. Accesses go through
 * {@link #tryAccess()}, which hands out a scoped {@link Guard} (close it with try-with-resources) or
 * nothing once revocation has begun.
 *
 * <p>Reads that change nothing may instead go through {@link #tryRead}, which is not an access in that
 * sense: it registers nowhere and writes no shared memory (as {@code StampedLock}'s optimistic read),
 * reads, then checks the flag and hands out the value only if revocation had not begun by then.
 * So every value it hands out was read before revocation began, and revoke() does not wait for it. The
 * price is that the read function may run against a resource whose release has already run: it must
 * not change anything and must stay safe to call on a released resource (its value is thrown away).
 *
 * <p>Memory ordering of accesses, as SRCU does it: a reader announces itself by incrementing a counter
 * and only then reads the {@code available} flag; the revoker clears the flag and only then reads the
 * counters. Both are volatile accesses, which the Java memory model orders totally, so either the
 * revoker sees the reader's increment and waits for it, or the reader sees the cleared flag and backs
 * out. The revoker's clear is its swap, a volatile read-modify-write on the revoke side only: the read
 * side stays a volatile read, an increment and a volatile read. A reader that already sees the cleared
 * flag backs out before it increments, so once the flag is down the revoker only waits for readers that
 * were already on their way in, never for newcomers. The counters are striped over padded cells chosen
 * by thread, so readers on different cores do not write one shared cache line; a reader always
 * decrements the cell it incremented, so every cell counts its own readers and a scan that sees all
 * cells at zero after the flag was cleared proves that every earlier reader has finished. Optimistic
 * reads: a load-load fence keeps the read's loads before the flag read, which is what
 * {@code StampedLock.validate} does; revocation is one-way, so a flag still up after the read proves
 * that the whole read came before revocation began, and no check before the read is needed.
 *
 * <p>Lockdep: the readers are a pseudo-lock, as SRCU's {@code dep_map} ({@code (srcu)BAR0}): the
 * {@code revoke()} that does the revoking waits for that class ({@code synchronize_srcu}), so a revoke
 * under a lock records {@code lock → (srcu)}. A reader holds the class only when it asks to, through
 * {@link #tryAccess(String)}: a reader that may block or take locks while it holds its guard, which is
 * the half of a revocation deadlock ("a revocation waits for a reader that never leaves"). Plain
 * {@link #tryAccess()} and {@link #tryRead} record nothing: they neither block nor take a lock inside,
 * and the optimistic read is the P1 hot path, which stays one volatile read and a fence.
 *
 * <p>Thread-safety: every method may be called from any thread. {@code revoke()} may block (it waits
 * for accesses); {@code tryAccess()} and {@code tryRead()} never block and take no lock.
 */
public final class Revocable<T> {

    /** Four cells per core, so that threads running at the same time rarely share one; 64 at most. */
    private static final int STRIPES =
            Math.min(64, Integer.highestOneBit(4 * Runtime.getRuntime().availableProcessors() - 1) << 1);
    private static final int STRIPE_SHIFT = 64 - Integer.numberOfTrailingZeros(STRIPES);
    /** 16 longs = 128 bytes between cells: no two cells share a cache line, nor an adjacent-line prefetch pair. */
    private static final int STRIDE = 16;
    private static final VarHandle AVAILABLE;
    /** For revocables made without a validator: records nothing. */
    private static final Lockdep UNTRACKED = Lockdep.disabled();

    static {
        try {
            AVAILABLE = MethodHandles.lookup().findVarHandle(Revocable.class, "available", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final T resource;
    private final Consumer<? super T> release;
    private final LongConsumer waitObserver;
    private final Lockdep lockdep;
    private final LockClass readersClass;
    private final AtomicLongArray readers = new AtomicLongArray(STRIPES * STRIDE);
    /** Swapped down once, by the revoke() that wins (through {@link #AVAILABLE}); the read side reads the field. */
    private volatile boolean available = true;

    /**
     * @param release      runs once, after revocation, when no access is in flight (e.g. {@code iounmap})
     * @param waitObserver told how many nanoseconds {@code revoke()} waited for accesses in flight
     */
    public Revocable(T resource, Consumer<? super T> release, LongConsumer waitObserver) {
        this(resource, release, waitObserver, UNTRACKED, UNTRACKED.lockClass("(srcu)untracked"));
    }

    /**
     * @param lockdep      the validator that sees {@code revoke()} wait for {@code readersClass}, and the
     *                     readers of {@link #tryAccess(String)} hold it
     * @param readersClass the readers' pseudo-lock, one per kind of resource ({@code (srcu)BAR0}), not per instance
     */
    public Revocable(T resource, Consumer<? super T> release, LongConsumer waitObserver, Lockdep lockdep,
                     LockClass readersClass) {
        this.resource = resource;
        this.release = release;
        this.waitObserver = waitObserver;
        this.lockdep = lockdep;
        this.readersClass = readersClass;
    }

    /** A guard over the resource, or empty once revocation has begun. Never blocks. */
    public Optional<Guard<T>> tryAccess() {
        if (!available) {
            return Optional.empty(); // revoked: do not hold up the revoker's scan
        }
        int cell = cell();
        readers.getAndIncrement(cell);
        if (!available) {
            readers.getAndDecrement(cell);
            return Optional.empty();
        }
        return Optional.of(new Guard<>(this, cell));
    }

    /**
     * {@link #tryAccess()} for a reader that may block or take locks while it holds the guard
     * ({@code srcu_read_lock}): it holds the readers' class, taken at {@code where}, until the guard is
     * closed, so lockdep sees what it takes meanwhile. Taken before the availability check, as the
     * kernel annotates a read-side section whether or not it finds the resource. Not nested on one
     * thread: lockdep here knows no recursive read, so a second section inside the first is reported
     * as recursion (SRCU's readers may nest).
     */
    public Optional<Guard<T>> tryAccess(String where) {
        var held = lockdep.acquire(readersClass, where);
        var guard = tryAccess();
        if (guard.isEmpty()) {
            held.close();
        } else {
            guard.get().held = held;
        }
        return guard;
    }

    /**
     * An optimistic read: {@code read}'s value if revocation had not begun when it returned, otherwise
     * empty. Never blocks, writes nothing shared. {@code read} must change nothing and must tolerate a
     * released resource (see the class comment).
     */
    public OptionalInt tryRead(ToIntFunction<? super T> read) {
        int value = read.applyAsInt(resource);
        VarHandle.loadLoadFence(); // the read's loads happen before the check below
        return available ? OptionalInt.of(value) : OptionalInt.empty();
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
     * Makes every later {@link #tryAccess()} and {@link #tryRead} fail, waits for the guards already
     * handed out to close, then releases the resource. Returns whether this call did the revoking: a
     * second caller, even a concurrent one, returns false at once without waiting again, but only after
     * revocation has begun ({@link #isRevoked()} true, every later access refused); the release may
     * still be running on the caller that returned true.
     */
    public boolean revoke() {
        // decide and clear in one step: a loser must not return while accesses are still handed out
        if (!(boolean) AVAILABLE.getAndSet(this, false)) {
            return false;
        }
        lockdep.waitFor(readersClass, "revoke"); // synchronize_srcu: a wait for every reader's section
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

    /**
     * Spin briefly (accesses are short), then yield, so that a reader preempted inside its access can
     * finish on this core, then park with a short bounded pause.
     */
    private static void backOff(int spins) {
        if (spins < 128) {
            Thread.onSpinWait();
        } else if (spins < 1024) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(Math.min(50_000L, 1_000L << Math.min(spins - 1024, 6)));
        }
    }

    private static int cell() {
        long id = Thread.currentThread().threadId();
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> STRIPE_SHIFT) * STRIDE;
    }

    /**
     * One access in flight. Only the thread that got it may use and close it; closing twice is harmless.
     */
    public static final class Guard<T> implements AutoCloseable {

        private final Revocable<T> owner;
        private final int cell;
        private boolean closed;
        /** The readers' class this guard holds for lockdep ({@link #tryAccess(String)}), or null. */
        private Lockdep.Acquired held;

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
                if (held != null) {
                    held.close();
                }
            }
        }
    }
}
