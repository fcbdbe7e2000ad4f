package dev.novahost.kernel.novacore;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts BAR0 accesses by operation and result, for {@code nova_bar_accesses_total{op,result}}.
 *
 * <p>Counting is on every register access, so it must cost about nothing and write no shared cache
 * line: each thread counts in a cell of its own (a per-CPU counter, as the kernel's {@code percpu}
 * counters do), and a reader sums the cells. The counts are exact: a cell has one writer, its owner,
 * which adds with a plain read and an opaque write, so no increment is lost, and {@link #total} reads
 * each cell with an opaque read. When a thread ends, its cell is folded into {@code retired} and
 * dropped (under the lock), so cells do not pile up on a host that runs a virtual thread per request.
 * A count folded from a cell is read after {@link Thread#isAlive()} has returned false, which
 * happens-after the thread's last increment.
 *
 * <p>Thread-safety: {@link #record} may be called from any thread and takes no lock; registering a
 * thread's first cell, folding cells and {@link #total} are guarded by {@code this}. Like
 * {@code LongAdder.sum()}, a total taken while other threads count is not a snapshot, but it never
 * goes down and it includes every increment that happened-before it.
 */
public final class BarAccounting {

    public enum Op { READ, WRITE }

    /** {@code ok}; {@code refused}: a revocable handle found the BAR revoked; {@code unmapped}: a plain
     *  handle reached a mapping that was already torn down (a use-after-iounmap). */
    public enum Result { OK, REFUSED, UNMAPPED }

    private static final int RESULTS = Result.values().length;
    private static final int COUNTERS = Op.values().length * RESULTS;
    /** 16 longs = 128 bytes of padding on each side: the collector may move two cells next to each other. */
    private static final int PAD = 16;
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);

    /** One thread's counts, at {@code PAD..PAD + COUNTERS - 1}; only {@code owner} writes them. */
    private record Cell(Thread owner, long[] counts) { }

    private final ThreadLocal<Cell> mine = ThreadLocal.withInitial(this::register);
    private final List<Cell> cells = new ArrayList<>();
    private final long[] retired = new long[COUNTERS];
    /** Cells alive at the last sweep: the next registration past twice as many sweeps again. */
    private int liveAtSweep;

    void record(Op op, Result result) {
        long[] counts = mine.get().counts();
        int i = PAD + index(op, result);
        COUNT.setOpaque(counts, i, counts[i] + 1); // the only writer: a plain read is its own last write
    }

    public synchronized long total(Op op, Result result) {
        sweep();
        int i = index(op, result);
        long total = retired[i];
        for (Cell cell : cells) {
            total += (long) COUNT.getOpaque(cell.counts(), PAD + i);
        }
        return total;
    }

    private synchronized Cell register() {
        if (cells.size() > 2 * liveAtSweep + 16) {
            sweep();
        }
        var cell = new Cell(Thread.currentThread(), new long[PAD + COUNTERS + PAD]);
        cells.add(cell);
        return cell;
    }

    /** Folds the cells of threads that have ended into {@code retired}. */
    private void sweep() {
        cells.removeIf(cell -> {
            if (cell.owner().isAlive()) {
                return false;
            }
            for (int i = 0; i < COUNTERS; i++) {
                retired[i] += cell.counts()[PAD + i];
            }
            return true;
        });
        liveAtSweep = cells.size();
    }

    private static int index(Op op, Result result) {
        return op.ordinal() * RESULTS + result.ordinal(); // values() would copy the array on every count
    }
}
