package dev.novahost.kernel.irq;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.Optional;

/**
 * A device's interrupt line: at most one handler ({@code request_irq} without {@code IRQF_SHARED}),
 * called on every interrupt the device raises. An interrupt with no handler is counted as unhandled.
 *
 * <p>Thread-safety: guarded by {@code this}. {@link #free} waits for a handler that is running to
 * return ({@code synchronize_irq}), unless it is called from that handler, so once it returns the
 * handler is neither running nor called again.
 */
public final class IrqLine {

    /** An interrupt handler; returns whether the interrupt was its device's ({@code IRQ_HANDLED}). */
    @FunctionalInterface
    public interface Handler {
        boolean handle();
    }

    private final String name;
    private final IrqAccounting accounting;
    private Handler handler;
    private Thread running;

    public IrqLine(String name, IrqAccounting accounting) {
        this.name = name;
        this.accounting = accounting;
    }

    /** {@code request_irq}: {@code EBUSY} when a handler is already installed. */
    public synchronized void request(Handler newHandler) {
        if (handler != null) {
            throw KernelException.of(Errno.EBUSY, "IRQ of " + name + " already has a handler");
        }
        handler = newHandler;
    }

    /** {@code free_irq}: removes the handler if it is the one installed, then waits until it is not running. */
    public synchronized boolean free(Handler installed) {
        if (handler != installed) {
            return false;
        }
        handler = null;
        while (running != null && running != Thread.currentThread()) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return true;
    }

    public synchronized Optional<Handler> handler() {
        return Optional.ofNullable(handler);
    }

    /** The device asserts its interrupt. Interrupts of one line are delivered one at a time. */
    public void raise() {
        Handler current;
        synchronized (this) {
            current = handler;
            running = Thread.currentThread();
        }
        try {
            accounting.count(current != null && current.handle());
        } finally {
            synchronized (this) {
                running = null;
                notifyAll();
            }
        }
    }
}
