package dev.novahost.bench;

import java.lang.management.ManagementFactory;

/** The heap a harness's objects keep, read the same way by every heap figure in docs/BENCHMARKS.md and RELIABILITY.md. */
public final class RetainedHeap {

    private RetainedHeap() {
    }

    /** Heap in use after collections have settled: the least of a few reads, each after a full GC. */
    public static long bytes() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    public static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
