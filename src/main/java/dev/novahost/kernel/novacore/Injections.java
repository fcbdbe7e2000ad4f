package dev.novahost.kernel.novacore;

import dev.novahost.kernel.events.FaultEvent;
import dev.novahost.kernel.events.History;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.fault.CallSite;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.FaultInjector;
import java.util.List;
import java.util.function.Supplier;

/**
 * nova-core's call sites of the remove()-side faults: each asks the injector once per eligible call
 * ({@code hrtimer_cancel(timer 3)}), and an injection at {@code verbose} 1 and up is logged into the
 * object's own timeline, so that a violation it leads to shows "injected here"; at {@code verbose} 2
 * the line also says the timeline so far (the events' words and objects, oldest first).
 *
 * <p>Thread-safety: stateless; the injector serialises its decisions, and each call site asks from the
 * thread that makes the call (remove(), module exit, the work function).
 */
final class Injections {

    private Injections() {
    }

    /**
     * Whether {@code fault} fires at this call from {@code site} on {@code object} ({@code what} names it in
     * {@code where}).
     */
    static boolean fires(NovaContext ctx, Fault fault, CallSite site, DriverObject object, String what) {
        return fires(ctx, fault, site, object.owner().address(), what, object.history(), () -> ModuleCall.timeline(object));
    }

    /** Whether {@code fault} fires at this call of the device's remove() or probe ({@code site}), logged into its timeline. */
    static boolean fires(NovaContext ctx, Fault fault, CallSite site, String device, String what, History history) {
        return fires(ctx, fault, site, device, what, history, history::events);
    }

    private static boolean fires(NovaContext ctx, Fault fault, CallSite site, String device, String what,
                                 History history, Supplier<List<LogEntry>> timeline) {
        String where = FaultInjector.pointOf(fault) + "(" + what + ")";
        return ctx.injector().fires(fault, site, device, where, injected -> {
            if (injected.verbose() > 0) {
                String said = injected.verbose() >= 2 ? FaultEvent.Injected.said(timeline.get()) : "";
                ctx.log().emit(history, new FaultEvent.Injected(device, injected.name(), where, injected.errno(),
                        injected.count(), said));
            }
        });
    }
}
