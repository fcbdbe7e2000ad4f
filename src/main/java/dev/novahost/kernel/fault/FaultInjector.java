package dev.novahost.kernel.fault;

import dev.novahost.kernel.Errno;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>The order of decisions is the kernel's: a call from another call site ({@link CallSite}) or on another
 * device than the filters name is not eligible and counts nowhere; then no failures are left ({@code times} 0), then the first {@code space}
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
 * <p>Each injection is counted by fault and point ({@link #injections}: {@code forgetTimerCancel} at
 * {@code hrtimer_cancel}, {@code fail_function} at {@code pci_iomap}, {@code fail_nth} at {@code kzalloc})
 * and told to the reporter with its verbosity, which decides whether the kernel log says it; a caller that
 * keeps the object's timeline passes a reporter of its own ({@link #fires(Fault, String, String, Consumer)}),
 * so that the line goes into that timeline ("injected here").
 *
 * <p>Thread-safety: decisions are serialised on {@code this} (they are on probe and remove paths, not on
 * hot ones); counts are atomic; the fail-nth scope is per thread.
 */
public final class FaultInjector {

    /** One injection: what fired ({@code forgetTimerCancel}, {@code pci_iomap}), where, on which device. */
    public record Injected(String name, String where, String device, Optional<Errno> errno, long count, int verbose) {
    }

    /**
     * What a count is kept by: the fault ({@code forgetTimerCancel}, or {@link #FAIL_FUNCTION} for an
     * injection point, {@link #FAIL_NTH} for fail-nth) and the call it hit ({@code hrtimer_cancel},
     * {@code pci_iomap}): {@code nova_fault_injections_total}'s labels.
     */
    public record Key(String fault, String point) {
    }

    /** The fault label of an injection point's injection ({@code inject}). */
    public static final String FAIL_FUNCTION = "fail_function";
    /** The fault label of a fail-nth injection. */
    public static final String FAIL_NTH = "fail_nth";

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
            NTH.remove();
        }
    }

    private static final ThreadLocal<FailNth> NTH = new ThreadLocal<>();

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

        /** {@code should_fail()}, for a call from {@code site} on {@code device}. */
        boolean shouldFail(String device, CallSite site) {
            if (!attr.eligible(device, site)) {
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
    private final Map<Key, AtomicLong> injected = new ConcurrentHashMap<>();

    public FaultInjector(Consumer<Injected> reporter) {
        this.reporter = reporter;
    }

    /**
     * Starts every count afresh for {@code faults}; returns them with the seed in use (the one they name,
     * else one picked now, so that the run can be repeated).
     */
    public synchronized Faults configure(Faults faults) {
        // below 2^53, so that a client in JavaScript (the console) reads and sends it back exactly
        long seed = faults.seed().orElseGet(() -> new SecureRandom().nextLong(1L << 53));
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

    /**
     * Whether the bug {@code fault} happens at this call from {@code site} ({@code where}: the step it
     * leaves out, on which object).
     */
    public boolean fires(Fault fault, CallSite site, String device, String where) {
        return fires(fault, site, device, where, reporter);
    }

    /**
     * The same, telling an injection to {@code tell} instead of the injector's reporter: how a call site
     * that keeps the object's timeline logs the injection into it. Ask once per eligible call: each
     * question is one call to {@code should_fail()} (it may consume {@code space}, {@code times}, a draw).
     * {@code site} null: no named site (only a fault without a {@code site} filter is eligible).
     */
    public boolean fires(Fault fault, CallSite site, String device, String where, Consumer<Injected> tell) {
        Injected injection;
        synchronized (this) {
            var state = faults.get(fault);
            if (state == null || !state.shouldFail(device, site)) {
                return false;
            }
            injection = count(new Key(fault.word(), pointOf(fault)), fault.word(), where, device, Optional.empty(),
                    state.attr.verbose());
        }
        tell.accept(injection);
        return true;
    }

    /** Whether {@code fault} is on at all (whatever its attributes): a step that sets up for it may be needed. */
    public synchronized boolean armed(Fault fault) {
        return faults.containsKey(fault);
    }

    /**
     * The call an injection of {@code fault} hits: the step the bug leaves out or does wrongly, as the
     * kernel function's name ({@code forgetTimerCancel}: {@code hrtimer_cancel}). A call site names its
     * {@code where} as this with the object in brackets: {@code hrtimer_cancel(timer 3)}.
     */
    public static String pointOf(Fault fault) {
        return switch (fault) {
            case FORGET_TIMER_CANCEL, CANCEL_UNDER_LOCK -> "hrtimer_cancel";
            case FORGET_WORK_CANCEL, CANCEL_WORK_FROM_ITSELF -> "cancel_work_sync";
            case FORGET_FILE_DISCONNECT -> "file_disconnect";
            case FORGET_IRQ_FREE, FREE_IRQ_UNDER_LOCK -> "free_irq";
            case LEAK_REGION -> "pci_request_region";
            case WRONG_CANCEL_ORDER -> "remove";
            case FLUSH_OWN_QUEUE -> "flush_workqueue";
        };
    }

    /**
     * Every counting key an injection can have, each fault at its point and each injection point under
     * {@link #FAIL_FUNCTION} and {@link #FAIL_NTH}: what a metric registers up front, so that a series
     * exists (at 0) before its first injection.
     */
    public static List<Key> keys() {
        var keys = new ArrayList<Key>();
        for (Fault fault : Fault.values()) {
            keys.add(new Key(fault.word(), pointOf(fault)));
        }
        for (InjectionPoint point : InjectionPoint.values()) {
            keys.add(new Key(FAIL_FUNCTION, point.word()));
        }
        for (InjectionPoint point : InjectionPoint.values()) {
            keys.add(new Key(FAIL_NTH, point.word()));
        }
        return keys;
    }

    /**
     * The errno this call of {@code point} from {@code site} on {@code device} fails with, or empty when it
     * goes through. fail-nth counts every fallible call of the operation, whatever its site.
     */
    public Optional<Errno> fail(InjectionPoint point, CallSite site, String device) {
        var nth = NTH.get();
        if (nth != null && nth.failed.isEmpty() && --nth.remaining == 0) {
            nth.failed = Optional.of(point);
            var errno = retval(point);
            reporter.accept(count(new Key(FAIL_NTH, point.word()), point.word(), "fail-nth", device, Optional.of(errno), 1));
            return Optional.of(errno);
        }
        synchronized (this) {
            var state = points.get(point);
            if (state == null || !state.shouldFail(device, site)) {
                return Optional.empty();
            }
            var errno = retvals.get(point);
            reporter.accept(count(new Key(FAIL_FUNCTION, point.word()), point.word(), point.word(), device,
                    Optional.of(errno), state.attr.verbose()));
            return Optional.of(errno);
        }
    }

    /** Opens fail-nth for this thread: its {@code n}-th fallible call fails (n from 1). */
    public FailNth failNth(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("fail-nth counts from 1, was " + n);
        }
        var scope = new FailNth(n);
        NTH.set(scope);
        return scope;
    }

    /**
     * Injections of {@code name} since the kernel started: a fault's word, an injection point's word
     * (by {@code inject} and fail-nth together), or {@link #FAIL_FUNCTION} / {@link #FAIL_NTH}.
     */
    public long injected(String name) {
        return injected.entrySet().stream()
                .filter(e -> e.getKey().fault().equals(name) || e.getKey().point().equals(name)
                        && (e.getKey().fault().equals(FAIL_FUNCTION) || e.getKey().fault().equals(FAIL_NTH)))
                .mapToLong(e -> e.getValue().get()).sum();
    }

    /** Injections under {@code key} since the kernel started. */
    public long injected(Key key) {
        var count = injected.get(key);
        return count == null ? 0 : count.get();
    }

    /** Every count so far, by key. */
    public Map<Key, Long> injections() {
        var counts = new LinkedHashMap<Key, Long>();
        injected.forEach((key, count) -> counts.put(key, count.get()));
        return counts;
    }

    private synchronized Errno retval(InjectionPoint point) {
        return retvals.getOrDefault(point, point.defaultErrno());
    }

    private Injected count(Key key, String name, String where, String device, Optional<Errno> errno, int verbose) {
        long count = injected.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        return new Injected(name, where, device, errno, count, verbose);
    }
}
