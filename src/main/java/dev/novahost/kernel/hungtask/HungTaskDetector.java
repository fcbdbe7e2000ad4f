package dev.novahost.kernel.hungtask;

import dev.novahost.kernel.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The hung-task detector (khungtaskd): tasks in uninterruptible sleep (state D) say what they wait for
 * while they wait; every {@code timeout} a check reports each one that has been blocked for at least the
 * timeout, naming what it waits for and who holds that, and reports it again at every later check while
 * it stays blocked, as the kernel does. Reports stop after {@code warnings} of them (one line says so),
 * and {@code panic} marks the host at the first one ({@code hung_task_panic}). A timeout of 0 turns the
 * detector off.
 *
 * <p>The detector does not schedule itself: the machine calls {@link #check()} every timeout on its timer
 * engine, so that on virtual time a report comes at exactly the virtual timeout.
 *
 * <p>Thread-safety: tasks block and unblock from any thread (a concurrent set); checks are serialised on
 * {@code this}, and the reporter is called from the checking thread.
 */
public final class HungTaskDetector {

    /** {@code hung_task_timeout_secs} (0 = off), {@code hung_task_warnings} (-1 = no limit), {@code hung_task_panic}. */
    public record Settings(long timeoutNs, int warnings, boolean panic) {

        public static final Settings DEFAULTS = new Settings(120_000_000_000L, 10, false);

        public Settings {
            if (timeoutNs < 0 || warnings < -1) {
                throw new IllegalArgumentException("timeout must be 0 (off) or more, warnings -1 (no limit) or more");
            }
        }

        public boolean enabled() {
            return timeoutNs > 0;
        }
    }

    /** One report: the task, what it waits for and its holder, how long it has been blocked, and its lines. */
    public record Report(String task, String waitingFor, String holder, long blockedNs, List<String> lines) {
    }

    /** A task while it is blocked; closing it means the wait ended. */
    public final class Blocked implements AutoCloseable {
        private final String task;
        private final String waitingFor;
        private final Supplier<String> holder;
        private final long sinceNs;

        private Blocked(String task, String waitingFor, Supplier<String> holder, long sinceNs) {
            this.task = task;
            this.waitingFor = waitingFor;
            this.holder = holder;
            this.sinceNs = sinceNs;
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
            blocked.remove(this);
        }
    }

    private final Clock clock;
    private final Settings settings;
    private final Consumer<Report> reporter;
    private final Set<Blocked> blocked = ConcurrentHashMap.newKeySet();
    private final AtomicLong reported = new AtomicLong();
    private int warningsLeft;
    private boolean suppressionSaid;
    private volatile boolean panicked;

    public HungTaskDetector(Clock clock, Settings settings, Consumer<Report> reporter) {
        this.clock = clock;
        this.settings = settings;
        this.reporter = reporter;
        this.warningsLeft = settings.warnings();
    }

    public Settings settings() {
        return settings;
    }

    /** The task enters state D, waiting for {@code waitingFor}, which {@code holder} names the holder of. */
    public Blocked block(String task, String waitingFor, Supplier<String> holder) {
        var entry = new Blocked(task, waitingFor, holder, clock.nanoTime());
        blocked.add(entry);
        return entry;
    }

    /** The tasks blocked now, longest first. */
    public List<Blocked> blocked() {
        var now = new ArrayList<>(blocked);
        now.sort((a, b) -> Long.compare(a.sinceNs, b.sinceNs));
        return now;
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

    /** One pass of khungtaskd: reports every task blocked for at least the timeout. */
    public synchronized void check() {
        if (!settings.enabled()) {
            return;
        }
        long now = clock.nanoTime();
        for (var task : blocked()) {
            long forNs = now - task.sinceNs;
            if (forNs < settings.timeoutNs()) {
                continue;
            }
            reported.incrementAndGet();
            if (warningsLeft == 0) {
                if (!suppressionSaid) {
                    suppressionSaid = true;
                    reporter.accept(new Report(task.task, task.waitingFor, task.holder(), forNs,
                            List.of("Future hung task reports are suppressed, see sysctl kernel.hung_task_warnings")));
                }
                continue;
            }
            if (warningsLeft > 0) {
                warningsLeft--;
            }
            if (settings.panic()) {
                panicked = true;
            }
            reporter.accept(new Report(task.task, task.waitingFor, task.holder(), forNs, lines(task, forNs)));
        }
    }

    private List<String> lines(Blocked task, long forNs) {
        var lines = new ArrayList<String>();
        lines.add("INFO: task " + task.task + " blocked for more than " + settings.timeoutNs() / 1_000_000_000L
                + " seconds.");
        lines.add("task:" + task.task + " state:D, blocked for " + forNs / 1_000_000L + " ms");
        lines.add("waiting for " + task.waitingFor + ", held by " + task.holder());
        if (settings.panic()) {
            lines.add("Kernel panic - not syncing: hung_task: blocked tasks");
        }
        return lines;
    }
}
