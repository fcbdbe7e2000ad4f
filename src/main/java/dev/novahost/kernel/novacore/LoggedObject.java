package dev.novahost.kernel.novacore;

import dev.novahost.kernel.events.History;
import dev.novahost.kernel.events.KernelEvent;

/**
 * A driver object that keeps its own events: a timer, a work item, an open file, the IRQ handler. Each
 * event it logs goes to the kernel log and to its own {@link History}, so that a violation's timeline
 * can start at the object's creation however long ago that was.
 *
 * <p>Thread-safety: its fields are final and set before the object is shared; {@link History} is
 * guarded by itself, so any thread may log.
 */
abstract sealed class LoggedObject<E extends KernelEvent> implements DriverObject
        permits DriverTimer, DriverWork, DeviceFile, IrqHandler {

    final NovaContext ctx;
    final NovaDevice owner;
    final String name; // every event names it
    private final History history = new History();

    LoggedObject(NovaContext ctx, NovaDevice owner, String name) {
        this.ctx = ctx;
        this.owner = owner;
        this.name = name;
    }

    final void log(E event) {
        ctx.log().emit(history, event);
    }

    /** Its name, as a task blocked on it shows it ({@code hrtimer_cancel(timer 3)}, {@code free_irq(irq 0000:01:00.0)}). */
    @Override
    public final String toString() {
        return name;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final NovaDevice owner() {
        return owner;
    }

    @Override
    public final History history() {
        return history;
    }
}
