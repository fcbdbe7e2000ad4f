package dev.novahost.kernel.sanitizer;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.KernelEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records lifecycle violations where the simulation sees them happen (KASAN, ODEBUG and kmemleak in
 * one): groups repeats of the same kind at the same object, keeps each group's causal timeline,
 * counts every report exactly, and taints the kernel for the kinds that would corrupt memory.
 * Its kernel log lines are rate-limited (as {@code printk_ratelimited}); its counters never are.
 *
 * <p>Thread-safety: reports come from any thread (timer engine, HTTP, unbind) and are serialised on
 * {@code this}; counters are {@link LongAdder}s readable without the lock.
 */
public final class Sanitizer {

    /** At most this many violation lines per second reach the kernel log. */
    private static final int LOG_LINES_PER_SECOND = 20;

    private record Key(ViolationKind kind, Outcome outcome, String device, String object) { }

    private final Clock clock;
    private final EventLog log;
    private final Map<Key, Violation> groups = new LinkedHashMap<>();
    private final LongAdder[] counts = new LongAdder[ViolationKind.values().length * Outcome.values().length
            * Policy.values().length];
    private final Set<ViolationKind> taints = EnumSet.noneOf(ViolationKind.class);
    private final AtomicLong ids = new AtomicLong();
    private long logWindowStart = Long.MIN_VALUE;
    private int logLinesInWindow;
    private long suppressed;

    public Sanitizer(Clock clock, EventLog log) {
        this.clock = clock;
        this.log = log;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /**
     * Reports one violation. {@code timeline} is the history of the object and its device that led
     * here; it is kept for the first report of a group.
     */
    public void report(ViolationKind kind, Outcome outcome, Policy policy, String device, String object,
                       int generation, String message, List<KernelEvent> timeline) {
        counts[index(kind, outcome, policy)].increment();
        long now = clock.nanoTime();
        boolean logIt;
        synchronized (this) {
            var key = new Key(kind, outcome, device, object);
            var group = groups.get(key);
            var sorted = timeline.stream().sorted(Comparator.comparingLong(KernelEvent::seq)).distinct().toList();
            groups.put(key, group == null
                    ? new Violation(ids.incrementAndGet(), kind, outcome, policy, device, object, generation, 1, now,
                            now, System.currentTimeMillis(), message, sorted)
                    : new Violation(group.id(), kind, outcome, group.policy(), device, object, group.generation(),
                            group.count() + 1, group.firstSeenNs(), now, group.firstSeenWallMillis(),
                            group.message(), group.timeline()));
            if (outcome == Outcome.OCCURRED && kind.taints()) {
                taints.add(kind);
            }
            logIt = admitLogLine(now);
        }
        if (logIt) {
            log.append(device, object, "violation." + kind.wireName(),
                    (outcome == Outcome.OCCURRED ? "BUG: " : "prevented: ") + kind.summary() + ": " + message);
        }
    }

    private boolean admitLogLine(long now) {
        if (now - logWindowStart >= 1_000_000_000L) {
            if (suppressed > 0) {
                log.append("", "", "violation.ratelimited", suppressed + " violation reports suppressed");
            }
            logWindowStart = now;
            logLinesInWindow = 0;
            suppressed = 0;
        }
        if (logLinesInWindow < LOG_LINES_PER_SECOND) {
            logLinesInWindow++;
            return true;
        }
        suppressed++;
        return false;
    }

    /** Every report ever made of this kind, outcome and policy; never rate-limited. */
    public long count(ViolationKind kind, Outcome outcome, Policy policy) {
        return counts[index(kind, outcome, policy)].sum();
    }

    public synchronized List<Violation> violations() {
        return new ArrayList<>(groups.values());
    }

    public synchronized Optional<Violation> violation(long id) {
        return groups.values().stream().filter(v -> v.id() == id).findFirst();
    }

    /** The kinds that tainted the kernel, as {@code /proc/sys/kernel/tainted} would say. */
    public synchronized Set<ViolationKind> taints() {
        return EnumSet.copyOf(taints);
    }

    /** Forgets the grouped violations and taints (host reset); the counters keep counting. */
    public synchronized void clear() {
        groups.clear();
        taints.clear();
    }

    private static int index(ViolationKind kind, Outcome outcome, Policy policy) {
        return (kind.ordinal() * Outcome.values().length + outcome.ordinal()) * Policy.values().length
                + policy.ordinal();
    }
}
