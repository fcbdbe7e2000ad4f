package dev.novahost.kernel.novacore;

import dev.novahost.kernel.fault.CallSite;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.work.Workqueue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one load of nova-core owns at module scope (the module struct): its text, its own workqueue,
 * and the module-scope timers and work items, which outlive any one device's binding and are stopped
 * at module exit ({@link #exit}).
 *
 * <p>Thread-safety: the sets are guarded by {@code this}.
 */
final class ModuleObjects {

    private final ModuleText text;
    private final Workqueue workqueue;
    private final Set<DriverTimer> timers = new LinkedHashSet<>();
    private final Set<DriverWork> works = new LinkedHashSet<>();

    ModuleObjects(ModuleText text, Workqueue workqueue) {
        this.text = text;
        this.workqueue = workqueue;
    }

    ModuleText text() {
        return text;
    }

    Workqueue workqueue() {
        return workqueue;
    }

    synchronized void add(DriverTimer timer) {
        timers.add(timer);
    }

    synchronized void add(DriverWork work) {
        works.add(work);
    }

    synchronized void forget(DriverTimer timer) {
        timers.remove(timer);
    }

    synchronized void forget(DriverWork work) {
        works.remove(work);
    }

    synchronized List<DriverTimer> timers() {
        return new ArrayList<>(timers);
    }

    synchronized List<DriverWork> works() {
        return new ArrayList<>(works);
    }

    synchronized List<DriverTimer> timersOf(NovaDevice device) {
        return timers.stream().filter(t -> t.owner() == device).toList();
    }

    synchronized List<DriverWork> worksOf(NovaDevice device) {
        return works.stream().filter(w -> w.owner() == device).toList();
    }

    /**
     * {@code module_exit}'s own steps, after the driver is unregistered: stop the module-scope timers and
     * work (as far as the faults let it), destroy the module's workqueue (draining what is queued; delayed
     * work whose timer has not fired is not waited for).
     */
    void exit(NovaContext ctx) {
        var locks = ctx.locks();
        for (DriverTimer timer : timers()) { // each cancel one eligible call of forgetTimerCancel
            if (!Injections.fires(ctx, Fault.FORGET_TIMER_CANCEL, CallSite.MODULE_EXIT, timer, timer.name())) {
                timer.cancel();
            }
        }
        for (DriverWork work : works()) {
            if (!Injections.fires(ctx, Fault.FORGET_WORK_CANCEL, CallSite.MODULE_EXIT, work, work.name())) {
                work.cancelSync();
            }
        }
        locks.lockdep().waitFor(locks.workqueue(workqueue.name()), "destroy_workqueue");
        workqueue.destroy();
    }
}
