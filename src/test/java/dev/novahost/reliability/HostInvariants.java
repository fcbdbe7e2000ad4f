package dev.novahost.reliability;

import dev.novahost.kernel.work.WorkItem;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.events.TimerEvent;
import dev.novahost.kernel.events.WorkEvent;
import dev.novahost.kernel.module.ModuleState;
import dev.novahost.kernel.novacore.DeviceFile;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.DriverWork;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.NovaDevice;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.pci.PciDevice;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The rules a host keeps under any load, each checked where it must hold and counted: nothing the
 * sanitizer calls {@code occurred}; no device-scope callback entering after its device's remove();
 * the module refcount equal to the open files of the live generation; a device's resources held
 * exactly while it is bound; and, after the last unload and unplug, nothing left anywhere.
 *
 * <p>Broken rules are collected, not thrown, so that a check made on a kernel thread (the callback
 * watch runs on whichever thread logs the event) or at a barrier fails the test all the same.
 *
 * <p>Thread-safety: every method may be called from any thread; the quiet-point checks expect no API
 * call in flight (timer and work callbacks may still run: none of these checks reads what they change).
 */
final class HostInvariants {

    /** A callback the watch knows by its kernel-log name: whose it is and at which scope it runs. */
    private record Callback(NovaDevice owner, Scope scope) {
    }

    private static final int MAX_REPORTED = 20;

    private final Kernel kernel;
    private final Map<String, Callback> callbacks = new ConcurrentHashMap<>();
    private final Queue<String> broken = new ConcurrentLinkedQueue<>();
    private final AtomicLong checked = new AtomicLong();
    private final AtomicLong callbacksWatched = new AtomicLong();
    /** Violation groups already reported as broken. */
    private final Set<Long> reported = ConcurrentHashMap.newKeySet();
    private final Consumer<LogEntry> watch = this::callbackEntered;

    HostInvariants(Kernel kernel) {
        this.kernel = kernel;
        kernel.log().subscribe(watch);
    }

    /** Checks so far, each rule on each object counted once. */
    long checked() {
        return checked.get();
    }

    long callbacksWatched() {
        return callbacksWatched.get();
    }

    List<String> broken() {
        return List.copyOf(broken);
    }

    private void expect(boolean holds, String rule) {
        checked.incrementAndGet();
        if (!holds && broken.size() < MAX_REPORTED) {
            broken.add(rule);
        }
    }

    // --- no callback after remove: watched as each callback enters ------------------------------

    void remember(DriverTimer timer) {
        callbacks.put(timer.name(), new Callback(timer.owner(), timer.scope()));
    }

    void remember(DriverWork work) {
        callbacks.put(work.name(), new Callback(work.owner(), work.scope()));
    }

    /**
     * A timer callback or work function logs its entry before doing anything; a device-scope one must
     * find its device not yet past remove() (fenced: remove() is the fence) or its driver data not yet
     * freed (revocable: the data, and the right to run, live until devres drops it).
     */
    private void callbackEntered(LogEntry event) {
        if (!(event.event() instanceof TimerEvent.Fired) && !(event.event() instanceof WorkEvent.Running)) {
            return;
        }
        var callback = callbacks.get(event.object());
        if (callback == null || callback.scope() != Scope.DEVICE) {
            return;
        }
        callbacksWatched.incrementAndGet();
        var owner = callback.owner();
        boolean gone = owner.policy().revokesAtUnbind() ? owner.isFreed() : owner.isRemoved();
        expect(!gone, event.object() + " of " + owner.address() + " entered its callback after remove() ("
                + owner.policy() + ")");
    }

    /** Forgets the callbacks of objects that are gone for good, so a long run does not hoard them. */
    void forgetFinished() {
        var objects = kernel.novaCoreObjects().table();
        var live = new HashSet<String>();
        objects.timers().forEach(t -> live.add(t.name()));
        objects.works().forEach(w -> live.add(w.name()));
        callbacks.keySet().retainAll(live);
    }

    // --- at any time -------------------------------------------------------------------------------

    /** Reports each violation group once, at the first check that sees it, with its timeline's event types. */
    void nothingOccurred(String when) {
        long occurred = 0;
        for (ViolationKind kind : ViolationKind.values()) {
            for (Policy policy : Policy.values()) {
                occurred += kernel.sanitizer().count(kind, Outcome.OCCURRED, policy);
            }
        }
        var fresh = kernel.sanitizer().violations().stream()
                .filter(v -> v.outcome() == Outcome.OCCURRED && reported.add(v.id()))
                .map(v -> v.kind().wireName() + " at " + v.object() + " of " + v.device() + " (" + v.message()
                        + "), after " + v.timeline().stream().map(e -> e.type() + (e.object().isEmpty() ? ""
                        : "(" + e.object() + ")")).toList())
                .toList();
        expect(occurred == 0 || fresh.isEmpty(), when + ": violations occurred (" + occurred + " so far): " + fresh);
    }

    // --- at a quiet point: no API call in flight -----------------------------------------------------

    void atQuietPoint(String when) {
        nothingOccurred(when);
        refcountMatchesOpenFiles(when);
        resourcesHeldExactlyWhileBound(when);
        nothingArmedForRemovedDevices(when);
    }

    /**
     * {@code fops.owner}: every file opened on the live text generation holds one reference, and nothing
     * else does; disassociated files belong to an older generation, whose count died with it.
     */
    void refcountMatchesOpenFiles(String when) {
        var module = kernel.module(NovaCoreDriver.NAME);
        int generation = module.generation();
        boolean live = module.state() == ModuleState.LIVE;
        long holders = live ? kernel.novaCoreObjects().table().files().stream()
                .filter(f -> f.text().generation() == generation && f.state() != DeviceFile.State.CLOSED).count() : 0;
        int refcount = module.refcount();
        expect(refcount == holders, when + ": nova-core refcount " + refcount + " but " + holders
                + " open file(s) of generation " + generation + (live ? "" : " (not loaded)"));
    }

    /** devres: enabled and region claimed while bound; disabled and released otherwise. */
    void resourcesHeldExactlyWhileBound(String when) {
        for (PciDevice device : kernel.bus().devices()) {
            boolean bound = kernel.driverCore().binding(device).isPresent();
            expect(device.isRegionHeld() == bound && device.isEnabled() == bound, when + ": " + device + " is "
                    + (bound ? "bound" : "unbound") + " but its region is " + (device.isRegionHeld() ? "held" : "free")
                    + " and it is " + (device.isEnabled() ? "enabled" : "disabled"));
        }
    }

    /** What remove() stopped stays stopped: no device-scope timer or work of a removed device is active. */
    void nothingArmedForRemovedDevices(String when) {
        var objects = kernel.novaCoreObjects().table();
        for (DriverTimer timer : objects.timers()) {
            if (timer.scope() == Scope.DEVICE && timer.owner().isRemoved()) {
                expect(!timer.isActive(), when + ": " + timer.name() + " of removed " + timer.owner().address()
                        + " is still " + timer.state());
            }
        }
        for (DriverWork work : objects.works()) {
            if (work.scope() == Scope.DEVICE && work.owner().isRemoved()) {
                expect(List.of(WorkItem.State.IDLE, WorkItem.State.CANCELLED).contains(work.state()), when + ": " + work.name()
                        + " of removed " + work.owner().address() + " is still " + work.state());
            }
        }
    }

    // --- after the last unload and unplug ------------------------------------------------------------

    /** No binding, no object, no reference, no queued deadline; every device ever plugged let go of. */
    void nothingLeft(Collection<PciDevice> everPlugged) {
        nothingOccurred("at the end");
        expect(kernel.driverCore().bindings().isEmpty(), "at the end: bindings left: " + kernel.driverCore().bindings());
        expect(kernel.bus().size() == 0, "at the end: devices left on the bus: " + kernel.bus().devices());
        for (PciDevice device : everPlugged) {
            expect(!device.isRegionHeld() && !device.isEnabled(), "at the end: " + device + " still has its region "
                    + (device.isRegionHeld() ? "claimed" : "free") + ", " + (device.isEnabled() ? "enabled" : "disabled"));
        }
        var objects = kernel.novaCoreObjects().table();
        var left = new ArrayList<String>();
        objects.timers().forEach(t -> left.add(t.name() + " " + t.state()));
        objects.works().forEach(w -> left.add(w.name() + " " + w.state()));
        objects.files().stream().map(DeviceFile::name).forEach(left::add);
        expect(left.isEmpty(), "at the end: driver objects left: " + left);
        expect(kernel.module(NovaCoreDriver.NAME).refcount() == 0, "at the end: nova-core refcount "
                + kernel.module(NovaCoreDriver.NAME).refcount());
    }

    /** The engine's queue drains once nothing is armed (a last callback may still be finishing). */
    void engineDrained(boolean drained) {
        expect(drained, "at the end: the timer engine still has " + kernel.engine().queued() + " queued deadline(s)");
    }

    /**
     * Lockdep saw every lock and wait of the run and found no cycle: a correct driver's orders are
     * consistent, so a report here is a false positive of the annotations or a real deadlock in the model.
     */
    void noLockCycles() {
        expect(!kernel.lockdep().dependencies().isEmpty(), "lockdep saw no lock order at all: its annotations are off");
        expect(kernel.lockdep().found().isEmpty(), "lockdep found lock cycles in a correct driver: "
                + kernel.lockdep().found().stream().map(f -> String.join(" | ", f.first().report())).toList());
    }

    void stopWatching() {
        kernel.log().unsubscribe(watch);
    }
}
