package dev.novahost.bench;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.BarHandle;
import dev.novahost.kernel.novacore.ObjectLimits;
import dev.novahost.kernel.pci.BoundDevice;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;

/**
 * P1 and P1b as paired ratios, for a machine that other work shares: the fenced read (the baseline), the
 * revocable read and the bound-device read run in short batches, one path after the other in the same JVM
 * (A B C, then C B A, ...), all threads on the same path at once, and each batch's time per read is divided
 * by the fenced batch next to it. A load that comes and goes slows both sides of a pair alike, which a
 * JMH run per path (seconds apart, each in its own fork) cannot cancel; the median of the pairs' ratios
 * is the figure. A batch's time per read is the reading thread's CPU time over its reads, so the time a
 * thread spends descheduled (two CPUs shared with other work) is not counted as the read's; what the other
 * work still changes (caches, the sibling hardware thread) it changes for both sides of a pair. Each path
 * runs in a loop of its own, so each is compiled on its own, as in JMH.
 *
 * <p>Arguments: {@code --threads N --pairs P --batch-ms M --warmup W} (defaults 1, 40, 50, 10).
 */
public final class BarReadPairs {

    private static final int NV_PMC_BOOT_0 = 0x000000;
    /** Time per read is the thread's CPU time: the time it was descheduled by other work is not the read's. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private enum Path { FENCED, REVOCABLE, BOUND }

    private final BarHandle fenced;
    private final BarHandle revocable;
    private final BoundDevice proof;
    private volatile int sink;

    private BarReadPairs(BenchHost host) {
        var revocableGpu = host.boundGpu(Policy.REVOCABLE);
        fenced = host.novaCore(host.boundGpu(Policy.FENCED)).bar();
        revocable = host.novaCore(revocableGpu).bar();
        proof = host.proofOf(revocableGpu);
    }

    public static void main(String[] args) throws Exception {
        int threads = TimerLatencyRun.intArg(args, "--threads", 1);
        int pairs = TimerLatencyRun.intArg(args, "--pairs", 40);
        long batchNs = TimerLatencyRun.intArg(args, "--batch-ms", 50) * 1_000_000L;
        int warmup = TimerLatencyRun.intArg(args, "--warmup", 10);
        try (var host = new BenchHost(4, ObjectLimits.DEFAULTS, true)) {
            new BarReadPairs(host).run(threads, pairs, warmup, batchNs);
        }
    }

    private void run(int threads, int pairs, int warmup, long batchNs) throws Exception {
        var paths = Path.values();
        var times = new double[paths.length][pairs];
        var barrier = new CyclicBarrier(threads);
        var perThread = new double[threads][paths.length][warmup + pairs];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int round = 0; round < warmup + pairs; round++) {
                        for (int k = 0; k < paths.length; k++) {
                            var path = paths[round % 2 == 0 ? k : paths.length - 1 - k]; // A B C, C B A: no side always first
                            barrier.await();
                            perThread[me][path.ordinal()][round] = batch(path, batchNs);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (var worker : workers) {
            worker.join();
        }
        for (int p = 0; p < paths.length; p++) {
            for (int i = 0; i < pairs; i++) {
                double sum = 0;
                for (int t = 0; t < threads; t++) {
                    sum += perThread[t][p][warmup + i];
                }
                times[p][i] = sum / threads;
            }
        }
        System.out.printf(Locale.ROOT, "P1 paired batches: %d thread(s), %d pairs of %d ms (after %d warm-up)%n",
                threads, pairs, batchNs / 1_000_000, warmup);
        for (var path : paths) {
            System.out.printf(Locale.ROOT, "  %-9s median %6.2f ns/read   p10 %6.2f%n", path.name().toLowerCase(Locale.ROOT),
                    quantile(times[path.ordinal()], 0.5), quantile(times[path.ordinal()], 0.1));
        }
        for (var path : List.of(Path.REVOCABLE, Path.BOUND)) {
            var ratios = new double[pairs];
            for (int i = 0; i < pairs; i++) {
                ratios[i] = times[path.ordinal()][i] / times[Path.FENCED.ordinal()][i];
            }
            System.out.printf(Locale.ROOT, "  %s / fenced: median of the pairs' ratios %.3fx (p25 %.3f, p75 %.3f)%n",
                    path.name().toLowerCase(Locale.ROOT), quantile(ratios, 0.5), quantile(ratios, 0.25),
                    quantile(ratios, 0.75));
        }
    }

    /** Reads for {@code batchNs} on one path; the time per read. */
    private double batch(Path path, long batchNs) {
        return switch (path) {
            case FENCED -> fenced(batchNs);
            case REVOCABLE -> revocable(batchNs);
            case BOUND -> bound(batchNs);
        };
    }

    // One loop per path, written out: a shared loop over a lambda would see three receivers at one call site.

    private double fenced(long batchNs) {
        int acc = 0;
        long reads = 0;
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        long now;
        do {
            for (int i = 0; i < 1024; i++) {
                acc ^= fenced.read32(NV_PMC_BOOT_0);
            }
            reads += 1024;
            now = System.nanoTime();
        } while (now - start < batchNs);
        sink = acc;
        return (double) (CPU.getCurrentThreadCpuTime() - cpuStart) / reads;
    }

    private double revocable(long batchNs) {
        int acc = 0;
        long reads = 0;
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        long now;
        do {
            for (int i = 0; i < 1024; i++) {
                acc ^= revocable.read32(NV_PMC_BOOT_0);
            }
            reads += 1024;
            now = System.nanoTime();
        } while (now - start < batchNs);
        sink = acc;
        return (double) (CPU.getCurrentThreadCpuTime() - cpuStart) / reads;
    }

    private double bound(long batchNs) {
        int acc = 0;
        long reads = 0;
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        long now;
        do {
            for (int i = 0; i < 1024; i++) {
                acc ^= revocable.access(proof).read32(NV_PMC_BOOT_0);
            }
            reads += 1024;
            now = System.nanoTime();
        } while (now - start < batchNs);
        sink = acc;
        return (double) (CPU.getCurrentThreadCpuTime() - cpuStart) / reads;
    }

    private static double quantile(double[] values, double q) {
        var sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
    }
}
