package dev.novahost.kernel.irq;

import java.util.concurrent.atomic.LongAdder;

/** Host-wide interrupt counts, handled and unhandled, for {@code nova_irqs_total{handled}}. */
public final class IrqAccounting {

    private final LongAdder handled = new LongAdder();
    private final LongAdder unhandled = new LongAdder();

    void count(boolean wasHandled) {
        (wasHandled ? handled : unhandled).increment();
    }

    public long handled() {
        return handled.sum();
    }

    public long unhandled() {
        return unhandled.sum();
    }
}
