package dev.novahost.kernel.hungtask;

import dev.novahost.kernel.timer.TimerEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The hung-task detector (khungtaskd): tasks in uninterruptible sleep (state D) say what they wait for
 * while they wait; a task blocked for the {@code timeout} is reported at exactly its block time plus the
 * timeout, naming what it waits for and who holds that, and again every timeout after while it stays
 * blocked, as the kernel repeats. Reports stop after {@code warnings} of them (one line says so), and
 * {@code panic} marks the host at the first one ({@code hung_task_panic}) until {@link #reset()}. A timeout
 * of 0 turns the detector off.
 *
 * <p>Scheduling: one entry on a timer engine, queued at the earliest report due: the kernel's own on
 * virtual time, so that a report comes at exactly the virtual timeout; on real time an engine with a
 * thread of its own, as khungtaskd is a kthread of its own, so that callbacks stuck on every thread of the
 * kernel's engine cannot starve the check that reports them. Every task's next report is at or after the
 * queued entry's deadline (a task blocking now is due a whole timeout from now, later than any report
 * already due), so {@link #block} touches the engine only when nothing is queued, and closing a wait
 * only when it was the last one (the check comes off, so that an idle kernel's engine drains). The
 * entry, when it runs, reports what is due and queues itself for the next report. While the detector is
 * off, {@code block} records nothing. (On real time, two tasks blocking at once on two threads may leave
 * the later of their two deadlines queued: the earlier is then reported late by the time between their
 * clock reads.)
 *
 * <p>Thread-safety: tasks block and unblock from any thread (a concurrent set). {@code armLock} keeps the
 * queued deadline ({@code armedAt}) and the engine's entry in step; checks run on the engine's threads,
 * serialised on {@code this}, which also guards each task's next report and the warnings left. The
 * reporter is called from the checking thread, with {@code this} held: it must be quick and must not
 * call back into the detector.
 */
public final class HungTaskDetector {

    /** {@code hung_task_timeout_secs} (0 = off), {@code hung_task_warnings} (-1 = no limit), {@code hung_task_panic}. */
    public record Settings(long timeoutNs, int warnings, boolean panic) {

        public static final Settings DEFAULTS = new Settings(120_000_000_000L, 10, false);

        public Settings {
            if (timeoutNs < 0 || warnings < -1) {
                throw new IllegalArgumentException("the hung-task timeout must be 0 (off) or more and the warnings -1"
                        + " (no limit) or more: " + timeoutNs + " ns, " + warnings);
            }
        }

        public boolean enabled() {
            return timeoutNs > 0;
        }

        /** The timeout in whole seconds, as the kernel's line says it. */
        public long timeoutSeconds() {
            return timeoutNs / 1_000_000_000L;
        }
    }

    /**
     * One report: the task, what it waits for and its holder, how long it has been blocked, and its lines.
     * {@code suppressed} for the one report past the warnings limit whose only line says the rest are
     * suppressed; {@code panics} for the report that marked the host panicked.
     */
    public record Report(String task, String waitingFor, String holder, long blockedNs, List<String> lines,
                         boolean suppressed, boolean panics) {

        public Report {
            lines = List.copyOf(lines);
        }
    }

    /** A task while it is blocked; closing it means the wait ended. */
    public final class Blocked implements AutoCloseable {
        private final String task;
        private final String waitingFor;
        private final Supplier<String> holder;
        private final long sinceNs;
        /** When it is reported next; guarded by the detector. */
        private long nextReportNs;

        private Blocked(String task, String waitingFor, Supplier<String> holder, long sinceNs) {
            this.task = task;
            this.waitingFor = waitingFor;
            this.holder = holder;
            this.sinceNs = sinceNs;
            this.nextReportNs = sinceNs + settings.timeoutNs();
        }

        public String task() {
            return task;
        }

        public String waitingFor() {
            return waitingFor;
        }

        /** Who holds what it waits for, as known now ("unknown" when nobody could say). */
        public String holder() {
            var name = holder.get();
            return name == null ? "unknown" : name;
        }

        public long sinceNs() {
            return sinceNs;
        }

        @Override
        public void close() {
            if (blocked.remove(this) && blockedCount.decrementAndGet() == 0) {
                disarmIfIdle();
            }
        }
    }

    /** The engine's entry: a check at the earliest report due. */
    private final class Check extends TimerEngine.Entry {
        @Override
        protected void expire() {
            check();
        }
    }

    private static final long NOTHING_ARMED = Long.MAX_VALUE;
    static final String SUPPRESSED = "Future hung task reports are suppressed, see sysctl kernel.hung_task_warnings";

    private final TimerEngine engine;
    private final Settings settings;
    private final Consumer<Report> reporter;
    private final Set<Blocked> blocked = ConcurrentHashMap.newKeySet();
    private final Check checkEntry = new Check();
    private final Object armLock = new Object();
    private final AtomicLong reported = new AtomicLong();
    /** Tasks in {@code blocked}: counted apart, because a concurrent set's size may be off while it changes. */
    private final AtomicInteger blockedCount = new AtomicInteger();
    /** The deadline the check entry is queued for, or {@link #NOTHING_ARMED}; written under {@code armLock}. */
    private volatile long armedAt = NOTHING_ARMED;
    private int warningsLeft;
    private boolean suppressionSaid;
    private volatile boolean panicked;

    public HungTaskDetector(TimerEngine engine, Settings settings, Consumer<Report> reporter) {
        this.engine = engine;
        this.settings = settings;
        this.reporter = reporter;
        this.warningsLeft = settings.warnings();
    }

    public Settings settings() {
        return settings;
    }

    /**
     * The task enters state D, waiting for {@code waitingFor}, which {@code holder} names the holder of.
     * Cheap: an entry in a concurrent set, and engine work only when no check is queued. {@code holder} is
     * asked at report time, on a timer engine thread with the detector held: it must not block.
     */
    public Blocked block(String task, String waitingFor, Supplier<String> holder) {
        var entry = new Blocked(task, waitingFor, holder, engine.clock().nanoTime());
        if (settings.enabled()) {
            blocked.add(entry);
            if (blockedCount.incrementAndGet() == 1) {
                armLocked(entry.nextReportNs); // through the lock: a last close may be taking the check off now
            } else {
                arm(entry.nextReportNs);
            }
        }
        return entry;
    }

    /** The tasks blocked now, longest first (none while the detector is off). */
    public List<Blocked> blocked() {
        var now = new ArrayList<>(blocked);
        now.sort((a, b) -> Long.compare(a.sinceNs, b.sinceNs));
        return now;
    }

    /** Whether {@code task} is blocked now (none is while the detector is off). */
    public boolean isBlocked(String task) {
        return blocked.stream().anyMatch(entry -> entry.task.equals(task));
    }

    /** How many tasks have been blocked for the timeout or longer, now. */
    public long hungNow() {
        long now = engine.clock().nanoTime();
        return blocked.stream().filter(task -> now - task.sinceNs >= settings.timeoutNs()).count();
    }

    /** Reports counted so far, the suppressed ones included. */
    public long reportedEver() {
        return reported.get();
    }

    /** Whether a hung task has panicked the host ({@code hung_task_panic}); stays so until a reset. */
    public boolean panicked() {
        return panicked;
    }

    /** Back to no warnings given and no panic (a host reset); blocked tasks stay blocked. */
    public synchronized void reset() {
        warningsLeft = settings.warnings();
        suppressionSaid = false;
        panicked = false;
    }

    /** Queues the check for {@code deadline} unless one is queued as early or earlier. */
    private void arm(long deadline) {
        if (deadline >= armedAt) {
            return; // the fast path of block(): a check is queued no later than this task's report
        }
        armLocked(deadline);
    }

    private void armLocked(long deadline) {
        synchronized (armLock) {
            if (deadline < armedAt) {
                armedAt = deadline;
                engine.schedule(checkEntry, deadline);
            }
        }
    }

    /**
     * The last blocked task's wait ended: the check comes off the engine, so that an idle kernel's engine
     * drains. Under {@code armLock}, as a first block arms under it after counting itself: either that
     * block counted first (and the check stays) or it arms after this.
     */
    private void disarmIfIdle() {
        synchronized (armLock) {
            if (blockedCount.get() == 0 && armedAt != NOTHING_ARMED) {
                engine.cancel(checkEntry);
                armedAt = NOTHING_ARMED;
            }
        }
    }

    /** One pass of khungtaskd, at the earliest report due: reports every task due, then queues the next pass. */
    private synchronized void check() {
        long now = engine.clock().nanoTime();
        synchronized (armLock) {
            if (armedAt <= now) {
                armedAt = NOTHING_ARMED; // this run is that deadline's; a later one queued meanwhile stays
            }
        }
        long next = NOTHING_ARMED;
        for (var task : blocked()) {
            if (task.nextReportNs <= now) {
                report(task, now - task.sinceNs);
                while (task.nextReportNs <= now) {
                    task.nextReportNs += settings.timeoutNs(); // late on real time: one report, then the next due
                }
            }
            next = Math.min(next, task.nextReportNs);
        }
        if (next != NOTHING_ARMED) {
            arm(next);
        }
        if (blockedCount.get() == 0) {
            disarmIfIdle(); // the last wait ended during this pass, maybe before the arm above
        }
    }

    private void report(Blocked task, long forNs) {
        reported.incrementAndGet();
        if (warningsLeft == 0) {
            if (!suppressionSaid) {
                suppressionSaid = true;
                reporter.accept(new Report(task.task, task.waitingFor, task.holder(), forNs, List.of(SUPPRESSED),
                        true, false));
            }
            return;
        }
        if (warningsLeft > 0) {
            warningsLeft--;
        }
        boolean panics = settings.panic() && !panicked;
        if (settings.panic()) {
            panicked = true;
        }
        var holder = task.holder();
        reporter.accept(new Report(task.task, task.waitingFor, holder, forNs, List.of(
                "INFO: task " + task.task + " blocked for more than " + settings.timeoutSeconds() + " seconds.",
                "task:" + task.task + " state:D, blocked for " + forNs / 1_000_000L + " ms",
                "waiting for " + task.waitingFor + ", held by " + holder), false, panics));
    }
}
