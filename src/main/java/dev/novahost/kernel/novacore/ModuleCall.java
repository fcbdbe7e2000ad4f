package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A call into nova-core's code through a function pointer (a timer or work callback, a file op, the
 * IRQ handler), with the checks KASAN and the page-fault handler would make: the text must not have
 * been freed, and code of a device whose {@code remove()} has returned must not run. A failed check is
 * reported and the call does not go ahead; the rest of the kernel goes on.
 */
final class ModuleCall {

    private ModuleCall() {
    }

    /** Whether the object's code is still mapped; reports an instruction fetch from freed text when not. */
    static boolean textAlive(NovaContext ctx, DriverObject object) {
        if (object.text().isFreed()) {
            report(ctx, object, ViolationKind.EXEC_AFTER_UNLOAD, Outcome.OCCURRED, String.format(
                    "%s calls into %s, which was unloaded", object.name(), object.text()));
            return false;
        }
        return true;
    }

    /** Whether the object's code may run now; reports the violation when not. */
    static boolean enter(NovaContext ctx, DriverObject object, ViolationKind afterRemove) {
        if (!textAlive(ctx, object)) {
            return false;
        }
        if (object.scope() == Scope.DEVICE && deviceGone(object.owner())) {
            report(ctx, object, afterRemove, Outcome.OCCURRED, String.format(
                    "%s of %s ran after remove() returned", object.name(), object.owner().address()));
            return false;
        }
        return true;
    }

    /**
     * Whether the device's code may no longer run. Under fenced, remove() is the fence: whatever runs
     * after it returned is a bug. Under revocable and srcu the driver data lives until devres drops it (and
     * the drop cancels what it owns), so only code running after the drop is touching freed memory.
     */
    private static boolean deviceGone(NovaDevice owner) {
        return owner.policy().revokesAtUnbind() ? owner.isFreed() : owner.isRemoved();
    }

    /**
     * A BAR access by a callback. Device-scope code runs only while the device is bound (the unbind
     * path stops it before revoking), so it uses the bound-device proof: no revocation check. Module-
     * scope code may outlive the binding and goes through the handle, which may refuse (revocable) or
     * find the mapping gone (fenced). Inside a read-side section (srcu) the section is the proof, for
     * either scope: no check. Returns whether the callback may go on: a refused access did no
     * harm and the callback carries on (a periodic timer re-arms); one that reached an unmapped BAR
     * stops it.
     */
    static boolean touchBar(NovaContext ctx, DriverObject object, Action action, BarSection section) {
        var owner = object.owner();
        try { // a written remove() may have unmapped the BAR before it stopped this device-scope code
            RegisterReader registers = section.registers().<RegisterReader>map(io -> io)
                    .orElseGet(() -> object.scope() == Scope.DEVICE ? owner.bar().access(owner.bound()) : owner.bar());
            if (action == Action.READ_PTIMER) {
                Ptimer.readTime(registers);
            } else {
                registers.read32(0);
            }
            return true;
        } catch (KernelException failure) {
            reportBarFailure(ctx, object, failure);
            return failure.errno() == Errno.ENODEV;
        }
    }

    /**
     * A callback found BAR0 revoked at its section's entry (srcu) and does nothing: the access its action
     * would have made was refused, and is reported as prevented.
     */
    /**
     * A timer's or work item's run: its hold, its delay ({@code holdNs}) and the lock its action takes, all
     * inside one read-side section of BAR0 (srcu; under the other policies the section is empty and costs
     * nothing), then {@code body}; {@code refused} when BAR0 was revoked before the section began,
     * {@code stopped} when the lock's wait was broken.
     */
    static <T> T runInSection(NovaContext ctx, DriverObject object, String function, CallbackHold pending,
                              CallbackDelay delay, Action action, Function<BarSection, T> body, Supplier<T> refused,
                              Supplier<T> stopped) {
        var owner = object.owner();
        var section = owner.bar().readLock(function);
        if (section.isEmpty()) {
            CallbackHold.pauseIn(pending);
            return refused.get();
        }
        try (var inside = section.get()) {
            CallbackHold.pauseIn(pending);
            delay.elapse(ctx); // before the lock: in flight, not yet holding it, as a remove() that deadlocks finds it
            if (action != Action.LOCK) {
                return body.apply(inside);
            }
            try (var locked = owner.lock().lock(function)) {
                return locked.acquired() ? body.apply(inside) : stopped.get();
            }
        }
    }

    static void refusedAtEntry(NovaContext ctx, DriverObject object, Action action) {
        if (action.touchesBar()) {
            ctx.accounting().record(BarAccounting.Op.READ, BarAccounting.Result.REFUSED);
            reportBarFailure(ctx, object, KernelException.of(Errno.ENODEV, String.format(
                    "BAR0 of %s was revoked when its driver was unbound; read-side section refused at entry",
                    object.owner().address())));
        }
    }

    /** A refused access ({@code ENODEV}: the handle was revoked) was prevented; an unmapped one occurred. */
    static void reportBarFailure(NovaContext ctx, DriverObject object, KernelException failure) {
        var outcome = failure.errno() == Errno.ENXIO ? Outcome.OCCURRED : Outcome.PREVENTED;
        report(ctx, object, ViolationKind.MMIO_AFTER_REVOKE, outcome, object.name() + ": " + failure.getMessage());
    }

    static void report(NovaContext ctx, DriverObject object, ViolationKind kind, Outcome outcome, String message) {
        var owner = object.owner();
        ctx.sanitizer().report(kind, outcome, owner.policy(), owner.address(), object.name(),
                object.text().generation(), message, timeline(object));
    }

    /**
     * The object's own events and its device's binding events since the object was created, which
     * together tell how it came to this, starting at the object's creation.
     */
    static List<LogEntry> timeline(DriverObject object) {
        var events = new ArrayList<>(object.history().events());
        long created = events.isEmpty() ? 0 : events.getFirst().seq();
        object.owner().history().events().stream().filter(e -> e.seq() >= created).forEach(events::add);
        return events;
    }
}
