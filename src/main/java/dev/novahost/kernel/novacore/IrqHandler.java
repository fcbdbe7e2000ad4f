package dev.novahost.kernel.novacore;

import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.events.IrqEvent;
import dev.novahost.kernel.devres.DevresList;
import dev.novahost.kernel.irq.IrqLine;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.task.CurrentTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * nova-core's interrupt handler for the PTIMER alarm: acknowledges {@code NV_PTIMER_INTR_0} (the line
 * counts what it handled).
 * It runs only while the device is bound (unbind frees it before revoking the BAR), so it reads the
 * registers under the bound-device proof. One that runs after remove() or after unload is reported
 * and takes itself off the line.
 *
 * <p>It is freed by devres after remove() (revocable), or by remove() itself (fenced, {@link #devmFree}):
 * a fenced remove() is the fence, and devres runs only after it has returned, too late to keep the
 * handler from running on a removed device.
 *
 * <p>Like nova-core's, it takes the driver data's {@code &nd->lock} on every run (a threaded handler,
 * {@code irq/nova ADDRESS}): harmless in a correct driver, a deadlock against a remove() that holds the
 * lock across {@code free_irq} ({@code freeIrqUnderLock}).
 */
final class IrqHandler extends LoggedObject<IrqEvent> implements IrqLine.Handler {

    private final IrqLine line;
    private final DevresList devres;
    private final String runner; // the handler's thread, as reports name it
    private final Supplier<String> holder = this::runner; // made once: free_irq is on the unbind path
    private final AtomicReference<CallbackHold> hold = new AtomicReference<>();
    /** Its entry on the devres list, when devres frees it; guarded by the device lock (probe, remove). */
    private DevresList.Entry managed;

    IrqHandler(NovaContext ctx, NovaDevice owner, IrqLine line, DevresList devres) {
        super(ctx, owner, "irq " + owner.address());
        this.runner = "irq/nova " + owner.address();
        this.line = line;
        this.devres = devres;
    }

    void request() {
        line.request(this);
        log(new IrqEvent.Requested(owner.address(), name()));
    }

    /** {@code free_irq}; true if the handler was still installed. */
    boolean free() {
        boolean freed;
        try (var wait = ctx.locks().waitFor(ctx.locks().irqHandler(), "free_irq", this, holder)) {
            freed = line.free(this);
        }
        if (freed) {
            log(new IrqEvent.Freed(owner.address(), name()));
        }
        return freed;
    }

    /** Puts its {@code free_irq} on the devres list, as {@code devm_request_irq} does. */
    void devmManage() {
        managed = devres.add(NovaCoreDriver.DEVRES_IRQ, this::free);
    }

    /** Whether devres frees it ({@code devm_request_irq}); false when probe left it unmanaged ({@code forgetIrqFree}). */
    boolean managed() {
        return managed != null;
    }

    /**
     * {@code devm_free_irq}: frees the handler now, waiting for a running one, and takes its entry off the
     * devres list so that devres does not free it twice.
     */
    void devmFree() {
        if (managed != null) {
            devres.destroy(managed);
        }
        free();
    }

    /**
     * A written remove() left it installed: off the devres list, so that it stays on the line as an
     * unmanaged {@code request_irq} that remove() forgot ({@code forgetIrqFree}). Returns the list, for an
     * entry that catches it (revocable).
     */
    DevresList unmanage() {
        if (managed != null) {
            devres.destroy(managed);
            managed = null;
        }
        return devres;
    }

    /** Holds the next run of the handler in flight (before it takes the lock) until the hold is released. */
    CallbackHold holdNextRun() {
        var next = new CallbackHold();
        hold.set(next);
        return next;
    }

    @Override
    public boolean handle() {
        try (var running = ctx.locks().lockdep().acquire(ctx.locks().irqHandler(), "handle_irq_event");
             var as = CurrentTask.callback(runner)) {
            return run();
        }
    }

    /**
     * The whole handler runs in one read-side section of BAR0 (srcu; none under the other policies). It
     * cannot find the BAR revoked (devres frees it before revoking), and would do nothing if it did.
     */
    private boolean run() {
        log(new IrqEvent.Fired(owner.address(), name()));
        var pending = hold.getAndSet(null);
        var section = owner.bar().readLock("handle_irq_event");
        try (var inside = section.orElse(BarSection.NONE)) {
            CallbackHold.pauseIn(pending);
            if (!ModuleCall.enter(ctx, this, ViolationKind.IRQ_AFTER_REMOVE)) {
                line.free(this);
                log(new IrqEvent.Stopped(owner.address(), name()));
                return false;
            }
            if (section.isEmpty()) {
                return false;
            }
            try (var locked = owner.lock().lock("nova_irq_handler")) {
                return locked.acquired() && acknowledge();
            }
        }
    }

    /**
     * Acknowledges the PTIMER alarm; false if the interrupt was not the device's, or if a written remove()
     * has unmapped BAR0 before freeing the handler (reported as any callback's access to a gone BAR).
     */
    private boolean acknowledge() {
        try {
            var registers = owner.bar().access(owner.bound());
            if ((registers.read32(Bar0.NV_PTIMER_INTR_0) & 1) == 0) {
                return false;
            }
            registers.write32(Bar0.NV_PTIMER_INTR_0, 1);
            return true;
        } catch (KernelException gone) {
            ModuleCall.reportBarFailure(ctx, this, gone);
            return false;
        }
    }

    /** Its thread's name, as reports name the task running it. */
    private String runner() {
        return runner;
    }

    @Override
    public Scope scope() {
        return Scope.DEVICE;
    }

    @Override
    public ModuleText text() {
        return owner.text();
    }
}
