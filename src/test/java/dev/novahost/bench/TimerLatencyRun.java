package dev.novahost.bench;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.timer.HrTimer;
import dev.novahost.kernel.timer.TimerEngine;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;

/**
 * P4 on real time: {@code timers} one-shot timers armed at once from one thread, deadlines at random
 * over {@code spread-ms} (starting 5 ms after arming begins), served by two threads: the timer engine
 * ({@code TimerEngine.realTime(clock, 2)}) against {@code ScheduledThreadPoolExecutor(2)} running the
 * same callback. Each callback records how late it ran (clock at entry minus deadline).
 *
 * <p>The engine runs twice: with {@link HrTimer}s (a new timer created and started per callback, the
 * timer API drivers use) and with bare engine entries ({@code schedule(Entry, deadline)}, what the
 * executor's {@code schedule} is the counterpart of). Each contender lives for the whole run, as a
 * host's engine does, so that no round pays for growing its queue to 100,000 entries (the warm-up
 * rounds do); a fresh queue per round spends more time in the collector than in arming.
 *
 * <p>Not a JMH benchmark: lateness is a distribution over one whole round, so each round is one sample
 * of arm cost, p50 and p99. Rounds alternate engine and executor; the first {@code warmup} rounds of
 * each are dropped, and the medians over the rest are printed, with the median of the rounds' arm-cost
 * ratios (rounds run side by side, so a ratio within a round cancels what slowed the whole round).
 *
 * <p>Arguments: {@code --timers N --spread-ms MS --rounds R --warmup W} (defaults 100000, 1000, 9, 3).
 */
public final class TimerLatencyRun implements AutoCloseable {

    /**
     * One round's numbers: arm cost in ns per timer (wall time, and the arming thread's CPU time, which leaves
     * out the time it spent descheduled on a machine other work shares), lateness percentiles in µs.
     */
    record Round(double armNs, double armCpuNs, double p50Us, double p99Us, double maxUs) { }

    /** The arming thread's CPU time: on a shared machine the wall time of 100,000 arms includes preemptions. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private final int timers;
    private final long spreadNs;
    private final Clock clock = Clock.system();
    /** Each contender lives for the whole run, as a host's engine does: warm-up rounds grow its queue. */
    private final TimerEngine timerEngine = TimerEngine.realTime(clock, 2);
    private final TimerEngine entryEngine = TimerEngine.realTime(clock, 2);
    private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2);

    TimerLatencyRun(int timers, long spreadNs) {
        this.timers = timers;
        this.spreadNs = spreadNs;
        executor.prestartAllCoreThreads();
    }

    public static void main(String[] args) throws InterruptedException {
        int timers = intArg(args, "--timers", 100_000);
        int spreadMs = intArg(args, "--spread-ms", 1000);
        int rounds = intArg(args, "--rounds", 9);
        int warmup = intArg(args, "--warmup", 3);
        try (var run = new TimerLatencyRun(timers, TimeUnit.MILLISECONDS.toNanos(spreadMs))) {
            run(run, rounds, warmup, timers, spreadMs);
        }
    }

    private static void run(TimerLatencyRun run, int rounds, int warmup, int timers, int spreadMs)
            throws InterruptedException {
        var engine = new Round[rounds];
        var entries = new Round[rounds];
        var executor = new Round[rounds];
        for (int r = 0; r < warmup + rounds; r++) {
            var e = run.engineRound(r);
            var n = run.entryRound(r);
            var x = run.executorRound(r);
            if (r >= warmup) {
                engine[r - warmup] = e;
                entries[r - warmup] = n;
                executor[r - warmup] = x;
            }
        }
        System.out.printf(Locale.ROOT, "P4 real time: %d one-shot timers over %d ms, 2 threads, median of %d rounds%n",
                timers, spreadMs, rounds);
        print("TimerEngine(2), new HrTimer+start", engine);
        print("TimerEngine(2), schedule(Entry)", entries);
        print("ScheduledThreadPoolExecutor(2)", executor);
        System.out.printf(Locale.ROOT, "  executor arm / HrTimer arm, median of the rounds' ratios: %.2fx; / entry arm: %.2fx%n",
                medianRatio(executor, engine, Round::armNs), medianRatio(executor, entries, Round::armNs));
        System.out.printf(Locale.ROOT, "  the same in the arming thread's CPU time: %.2fx; / entry arm: %.2fx%n",
                medianRatio(executor, engine, Round::armCpuNs), medianRatio(executor, entries, Round::armCpuNs));
    }

    private static double medianRatio(Round[] baseline, Round[] contender, ToDoubleFunction<Round> arm) {
        return median(IntStream.range(0, baseline.length)
                .mapToDouble(i -> arm.applyAsDouble(baseline[i]) / arm.applyAsDouble(contender[i])));
    }

    /** How a contender arms one timer that runs {@code callback} at {@code deadline}. */
    @FunctionalInterface
    interface Arm {
        void arm(long deadline, Runnable callback);
    }

    /** The engine: each timer is a fresh HrTimer, created and started by the arming thread. */
    Round engineRound(int round) throws InterruptedException {
        return measure(round, clock, (deadline, callback) -> new HrTimer(timerEngine, timer -> {
            callback.run();
            return OptionalLong.empty();
        }).start(deadline));
    }

    /** The engine's own interface, as workqueues and interrupts use it: an entry scheduled for a deadline. */
    Round entryRound(int round) throws InterruptedException {
        return measure(round, clock, (deadline, callback) -> entryEngine.schedule(new TimerEngine.Entry() {
            @Override
            protected void expire() {
                callback.run();
            }
        }, deadline));
    }

    /** The baseline: the JDK's scheduled executor with two core threads and the same callback. */
    Round executorRound(int round) throws InterruptedException {
        return measure(round, System::nanoTime, (deadline, callback) ->
                executor.schedule(callback, deadline - System.nanoTime(), TimeUnit.NANOSECONDS));
    }

    @Override
    public void close() {
        timerEngine.close();
        entryEngine.close();
        executor.shutdownNow();
    }

    /** Arms every timer from this thread (timed), then waits for all to run and sums up their lateness. */
    private Round measure(int round, Clock clock, Arm arm) throws InterruptedException {
        var lateness = new long[timers];
        var done = new CountDownLatch(timers);
        long[] deadlines = deadlines(round, clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5));
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < timers; i++) {
            int slot = i;
            long deadline = deadlines[i];
            arm.arm(deadline, () -> {
                lateness[slot] = clock.nanoTime() - deadline;
                done.countDown();
            });
        }
        long armed = System.nanoTime() - start;
        long armedCpu = CPU.getCurrentThreadCpuTime() - cpuStart;
        done.await();
        return summarize(armed, armedCpu, lateness);
    }

    /** Deadlines at random over the spread, starting a little after {@code first}; the same per round. */
    private long[] deadlines(int round, long first) {
        var random = new SplittableRandom(round);
        var deadlines = new long[timers];
        for (int i = 0; i < timers; i++) {
            deadlines[i] = first + random.nextLong(spreadNs);
        }
        return deadlines;
    }

    private Round summarize(long armedNs, long armedCpuNs, long[] lateness) {
        Arrays.sort(lateness);
        return new Round((double) armedNs / timers, (double) armedCpuNs / timers, percentile(lateness, 0.50) / 1e3,
                percentile(lateness, 0.99) / 1e3, lateness[lateness.length - 1] / 1e3);
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static void print(String name, Round[] rounds) {
        System.out.printf(Locale.ROOT,
                "  %-36s arm %8.1f ns/timer (CPU %6.1f)   lateness p50 %9.1f µs   p99 %10.1f µs   max %10.1f µs%n",
                name, median(rounds, Round::armNs), median(rounds, Round::armCpuNs), median(rounds, Round::p50Us), median(rounds, Round::p99Us),
                median(rounds, Round::maxUs));
    }

    private static double median(Round[] rounds, ToDoubleFunction<Round> value) {
        return median(Arrays.stream(rounds).mapToDouble(value));
    }

    private static double median(DoubleStream values) {
        double[] sorted = values.sorted().toArray();
        return sorted[sorted.length / 2];
    }

    static int intArg(String[] args, String name, int otherwise) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return otherwise;
    }
}
