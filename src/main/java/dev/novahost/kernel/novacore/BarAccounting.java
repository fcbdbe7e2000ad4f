package dev.novahost.kernel.novacore;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts BAR0 accesses by operation and result, for {@code nova_bar_accesses_total{op,result}}.
 * {@link LongAdder}s, so that counting on the hot path writes no shared cache line.
 */
public final class BarAccounting {

    public enum Op { READ, WRITE }

    /** {@code ok}; {@code refused}: a revocable handle found the BAR revoked; {@code unmapped}: a plain
     *  handle reached a mapping that was already torn down (a use-after-iounmap). */
    public enum Result { OK, REFUSED, UNMAPPED }

    private final LongAdder[] counts = new LongAdder[Op.values().length * Result.values().length];

    public BarAccounting() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void record(Op op, Result result) {
        counts[index(op, result)].increment();
    }

    public long total(Op op, Result result) {
        return counts[index(op, result)].sum();
    }

    private static int index(Op op, Result result) {
        return op.ordinal() * Result.values().length + result.ordinal();
    }
}
