package dev.novahost.kernel.sanitizer;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.events.ViolationEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records lifecycle violations where the simulation sees them happen (KASAN, ODEBUG and kmemleak in
 * one): groups repeats of the same kind at the same object, keeps each group's causal timeline,
 * counts every report exactly, and taints the kernel for the kinds that would corrupt memory.
 * Its kernel log lines are rate-limited (as {@code printk_ratelimited}); its counters never are.
 *
 * <p>Bounded whatever the load, as the kernel's own checkers are: the store keeps at most
 * {@code capacity} groups and each group's timeline at most {@link #TIMELINE_LIMIT} events. Once it is
 * full, a repeat of a kept group still counts in that group, but a report that would open a new group
 * is counted and dropped (as lockdep stops at {@code MAX_LOCKDEP_KEYS} and KASAN reports the first bug
 * only: the first reports are the ones that explain the rest), and the store says so once in the log.
 * So after every report: the kept groups' counts plus {@link #dropped()} equal the reports since the
 * last reset, and {@link #count} still counts every report.
 *
 * <p>Thread-safety: reports come from any thread (timer engine, HTTP, unbind) and are serialised on
 * {@code this}; counters are {@link LongAdder}s readable without the lock.
 */
public final class Sanitizer {

    /** Groups kept by default: a page or two of the console, a few MiB at most with their timelines. */
    public static final int DEFAULT_CAPACITY = 1000;
    /** Events kept of a group's timeline: the first (the object's creation) and the most recent ones. */
    public static final int TIMELINE_LIMIT = 64;
    /** At most this many violation lines per second reach the kernel log. */
    private static final int LOG_LINES_PER_SECOND = 20;

    private record Key(ViolationKind kind, Outcome outcome, String device, String object) { }

    private final Clock clock;
    private final EventLog log;
    private final int capacity;
    private final Map<Key, Long> idsByKey = new HashMap<>();
    private final NavigableMap<Long, Violation> groups = new TreeMap<>();
    private final LongAdder[] counts = new LongAdder[ViolationKind.values().length * Outcome.values().length
            * Policy.values().length];
    private final LongAdder droppedEver = new LongAdder();
    private final Set<ViolationKind> taints = EnumSet.noneOf(ViolationKind.class);
    private final AtomicLong ids = new AtomicLong();
    private long dropped;
    private boolean logWindowOpen;
    private long logWindowStart;
    private int logLinesInWindow;
    private long suppressed;

    public Sanitizer(Clock clock, EventLog log) {
        this(clock, log, DEFAULT_CAPACITY);
    }

    public Sanitizer(Clock clock, EventLog log, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the violation store must keep at least one group: " + capacity);
        }
        this.clock = clock;
        this.log = log;
        this.capacity = capacity;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /**
     * Reports one violation. {@code timeline} is the history of the object and its device that led
     * here; it is kept for the first report of a group.
     */
    public void report(ViolationKind kind, Outcome outcome, Policy policy, String device, String object,
                       int generation, String message, List<LogEntry> timeline) {
        counts[index(kind, outcome, policy)].increment();
        long now = clock.nanoTime();
        boolean logIt;
        boolean fullNow = false;
        synchronized (this) {
            var key = new Key(kind, outcome, device, object);
            var id = idsByKey.get(key);
            if (id != null) {
                var group = groups.get(id);
                groups.put(id, new Violation(id, kind, outcome, group.policy(), device, object, group.generation(),
                        group.count() + 1, group.firstSeenNs(), now, group.firstSeenWallMillis(), group.message(),
                        group.timeline()));
            } else if (groups.size() < capacity) {
                long newId = ids.incrementAndGet();
                idsByKey.put(key, newId);
                groups.put(newId, new Violation(newId, kind, outcome, policy, device, object, generation, 1, now, now,
                        System.currentTimeMillis(), message, bounded(timeline)));
            } else {
                fullNow = dropped == 0;
                dropped++;
                droppedEver.increment();
            }
            if (outcome == Outcome.OCCURRED && kind.taints()) {
                taints.add(kind);
            }
            logIt = admitLogLine(now);
        }
        if (fullNow) {
            log.emit(new ViolationEvent.StoreFull(capacity));
        }
        if (logIt) {
            log.emit(new ViolationEvent.Reported(device, object, kind.wireName(), outcome == Outcome.OCCURRED,
                    kind.summary(), message));
        }
    }

    /** By sequence, without repeats: the first event (the creation) and the most recent ones up to the limit. */
    private static List<LogEntry> bounded(List<LogEntry> timeline) {
        var sorted = timeline.stream().sorted(Comparator.comparingLong(LogEntry::seq)).distinct().toList();
        if (sorted.size() <= TIMELINE_LIMIT) {
            return sorted;
        }
        var kept = new ArrayList<LogEntry>(TIMELINE_LIMIT);
        kept.add(sorted.getFirst());
        kept.addAll(sorted.subList(sorted.size() - (TIMELINE_LIMIT - 1), sorted.size()));
        return List.copyOf(kept);
    }

    private boolean admitLogLine(long now) {
        // no "now - Long.MIN_VALUE" for the first window: that overflows, and no window would open again
        if (!logWindowOpen || now - logWindowStart >= 1_000_000_000L) {
            if (suppressed > 0) {
                log.emit(new ViolationEvent.RateLimited(suppressed));
            }
            logWindowOpen = true;
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

    /** Every report ever made of this kind, outcome and policy; never rate-limited, never dropped. */
    public long count(ViolationKind kind, Outcome outcome, Policy policy) {
        return counts[index(kind, outcome, policy)].sum();
    }

    /** Reports since the last reset that the full store counted but did not keep. */
    public synchronized long dropped() {
        return dropped;
    }

    /** Reports ever counted but not kept (a counter: a reset does not take it back). */
    public long droppedEver() {
        return droppedEver.sum();
    }

    /** Every kept group, oldest first (at most the store's capacity). */
    public synchronized List<Violation> violations() {
        return new ArrayList<>(groups.values());
    }

    /**
     * The kept groups that match, with an id above {@code afterId}, oldest first, at most {@code limit};
     * with how many match in all and how many reports were dropped.
     */
    public synchronized ViolationPage page(ViolationFilter filter, long afterId, int limit) {
        var page = new ArrayList<Violation>(Math.min(limit, groups.size()));
        boolean more = false;
        for (Violation v : groups.tailMap(afterId, false).values()) {
            if (filter.matches(v)) {
                if (page.size() == limit) {
                    more = true;
                    break;
                }
                page.add(v);
            }
        }
        long total = groups.values().stream().filter(filter::matches).count();
        return new ViolationPage(page, more, total, dropped);
    }

    public synchronized Optional<Violation> violation(long id) {
        return Optional.ofNullable(groups.get(id));
    }

    /** The kinds that tainted the kernel, as {@code /proc/sys/kernel/tainted} would say. */
    public synchronized Set<ViolationKind> taints() {
        return EnumSet.copyOf(taints);
    }

    /** Forgets the grouped violations, the dropped count and taints (host reset); the counters keep counting. */
    public synchronized void clear() {
        groups.clear();
        idsByKey.clear();
        dropped = 0;
        taints.clear();
    }

    private static int index(ViolationKind kind, Outcome outcome, Policy policy) {
        return (kind.ordinal() * Outcome.values().length + outcome.ordinal()) * Policy.values().length
                + policy.ordinal();
    }
}
