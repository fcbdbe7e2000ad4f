package dev.novahost.kernel.fault;

import dev.novahost.kernel.Errno;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Decides, call by call, whether an injected fault fires: Linux's {@code should_fail()} for each
 * {@link Fault} and {@link InjectionPoint} that {@link Faults} turns on, with their {@link FaultAttr}s, and
 * {@code fail-nth} for one operation at a time.
 *
 * <p>The order of decisions is the kernel's: a call on another device than the filter names is not
 * eligible and counts nowhere; then no failures are left ({@code times} 0), then the first {@code space}
 * eligible calls pass, then only every {@code interval}-th may fail, then {@code probability} decides.
 * Each fault and point draws from a random sequence of its own, derived from the seed and its word, so
 * that one fault's calls do not shift another's: a seeded run is repeatable on the live host (given the
 * same calls in the same order) and byte-identical on virtual time. {@link #configure} starts every
 * count afresh.
 *
 * <p>{@code fail-nth} ({@link #failNth}): the N-th fallible call (injection point) made by this thread
 * while the scope is open fails with the point's errno, whatever the attributes say: how a sweep walks
 * every step of a bind in turn.
 *
 * <p>Each injection is counted ({@link #injected}) and told to the reporter with its verbosity, which
 * decides whether the kernel log says it.
 *
 * <p>Thread-safety: decisions are serialised on {@code this} (they are on probe and remove paths, not on
 * hot ones); counts are atomic; the fail-nth scope is per thread.
 */
public final class FaultInjector {

    /** One injection: what fired ({@code forgetTimerCancel}, {@code pci_iomap}), where, on which device. */
    public record Injected(String name, String where, String device, Optional<Errno> errno, long count, int verbose) {
    }

    /** The fail-nth scope of one operation: the {@code n}-th fallible call of this thread fails. */
    public final class FailNth implements AutoCloseable {
        private long remaining;
        private Optional<InjectionPoint> failed = Optional.empty();

        private FailNth(long n) {
            this.remaining = n;
        }

        /** The point whose call failed, once the n-th fallible call has been made; empty if there were fewer. */
        public Optional<InjectionPoint> failed() {
            return failed;
        }

        @Override
        public void close() {
            FAIL_NTH.remove();
        }
    }

    private static final ThreadLocal<FailNth> FAIL_NTH = new ThreadLocal<>();

    /** Counts and random sequence of one fault or point since the last configure. */
    private static final class State {
        final FaultAttr attr;
        final SplittableRandom random;
        long timesLeft;
        long spaceLeft;
        long eligible;

        State(FaultAttr attr, long seed, String word) {
            this.attr = attr;
            this.random = new SplittableRandom(seed ^ (word.hashCode() * 0x9E3779B97F4A7C15L));
            this.timesLeft = attr.times();
            this.spaceLeft = attr.space();
        }

        /** {@code should_fail()}, for an eligible call on {@code device}. */
        boolean shouldFail(String device) {
            if (attr.device().isPresent() && !attr.device().get().equals(device)) {
                return false;
            }
            if (timesLeft == 0) {
                return false;
            }
            if (spaceLeft > 0) {
                spaceLeft--;
                return false;
            }
            eligible++;
            if (attr.interval() > 1 && eligible % attr.interval() != 0) {
                return false;
            }
            if (attr.probability() < 100 && random.nextInt(100) >= attr.probability()) {
                return false;
            }
            if (timesLeft > 0) {
                timesLeft--;
            }
            return true;
        }
    }

    private final Consumer<Injected> reporter;
    private final Map<Fault, State> faults = new EnumMap<>(Fault.class);
    private final Map<InjectionPoint, State> points = new EnumMap<>(InjectionPoint.class);
    private final Map<InjectionPoint, Errno> retvals = new EnumMap<>(InjectionPoint.class);
    private final Map<String, AtomicLong> injected = new ConcurrentHashMap<>();

    public FaultInjector(Consumer<Injected> reporter) {
        this.reporter = reporter;
    }

    /**
     * Starts every count afresh for {@code faults}; returns them with the seed in use (the one they name,
     * else one picked now, so that the run can be repeated).
     */
    public synchronized Faults configure(Faults faults) {
        long seed = faults.seed().orElseGet(() -> new SecureRandom().nextLong());
        this.faults.clear();
        points.clear();
        retvals.clear();
        faults.attrs().forEach((fault, attr) -> this.faults.put(fault, new State(attr, seed, fault.word())));
        faults.inject().forEach((point, injection) -> {
            points.put(point, new State(injection.attr(), seed, point.word()));
            retvals.put(point, injection.retval());
        });
        return faults.withSeed(seed);
    }

    /** Whether the bug {@code fault} happens at this eligible call ({@code where}: the step it leaves out, on which object). */
    public synchronized boolean fires(Fault fault, String device, String where) {
        var state = faults.get(fault);
        if (state == null || !state.shouldFail(device)) {
            return false;
        }
        report(fault.word(), where, device, Optional.empty(), state.attr.verbose());
        return true;
    }

    /** The errno this call of {@code point} on {@code device} fails with, or empty when it goes through. */
    public Optional<Errno> fail(InjectionPoint point, String device) {
        var nth = FAIL_NTH.get();
        if (nth != null && nth.failed.isEmpty() && --nth.remaining == 0) {
            nth.failed = Optional.of(point);
            var errno = retval(point);
            report(point.word(), "fail-nth", device, Optional.of(errno), 1);
            return Optional.of(errno);
        }
        synchronized (this) {
            var state = points.get(point);
            if (state == null || !state.shouldFail(device)) {
                return Optional.empty();
            }
            var errno = retvals.get(point);
            report(point.word(), point.word(), device, Optional.of(errno), state.attr.verbose());
            return Optional.of(errno);
        }
    }

    /** Opens fail-nth for this thread: its {@code n}-th fallible call fails (n from 1). */
    public FailNth failNth(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("fail-nth counts from 1, was " + n);
        }
        var scope = new FailNth(n);
        FAIL_NTH.set(scope);
        return scope;
    }

    /** Injections of {@code name} (a fault's or a point's word) since the kernel started. */
    public long injected(String name) {
        var count = injected.get(name);
        return count == null ? 0 : count.get();
    }

    private synchronized Errno retval(InjectionPoint point) {
        return retvals.getOrDefault(point, point.defaultErrno());
    }

    private void report(String name, String where, String device, Optional<Errno> errno, int verbose) {
        long count = injected.computeIfAbsent(name, n -> new AtomicLong()).incrementAndGet();
        reporter.accept(new Injected(name, where, device, errno, count, verbose));
    }
}
