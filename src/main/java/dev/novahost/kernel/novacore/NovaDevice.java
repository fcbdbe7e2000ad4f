package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.devres.Revocable;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.events.History;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.Chipset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * nova-core's per-device data ({@code struct NovaCore}): what probe found and built, and the timers,
 * work items and open files that belong to the device.
 *
 * <p>Lifecycle: created by probe; {@link #beginRemove()} when {@code remove()} starts (no new objects
 * from then on); {@link #markRemoved()} when it returns; freed when the devres list drops it. Code of
 * the device that runs after {@code markRemoved} (fenced), or after it is freed (revocable, whose drop
 * first cancels what the data owns), is a use-after-free.
 *
 * <p>Thread-safety: the object sets and the removing flag are guarded by {@code this}, and timers and
 * work are armed or queued and files opened under it too ({@link #admit}), so an object is either added and started
 * before remove() takes its snapshot (and is torn down with the device) or refused.
 * The lifecycle flags are volatile for the lock-free checks callbacks make.
 */
public final class NovaDevice {

    private final BoundDevice bound;
    private final Policy policy;
    private final ModuleText text;
    private final Chipset chipset;
    private final int revision;
    private final BarHandle bar;
    private final Ptimer ptimer;
    private final History history;
    private final String address; // every event of the device's objects names it
    private final DriverLock lock;
    private final Supplier<Faults> faults;
    private final Set<DriverTimer> timers = new LinkedHashSet<>();
    private final Set<DriverWork> works = new LinkedHashSet<>();
    private final Set<DeviceFile> files = new LinkedHashSet<>();
    /**
     * The active reference of the driver's MMIO attribute (kernfs's {@code kernfs_get_active}): under
     * fenced, remove() drains the HTTP accesses in flight before anything is torn down.
     */
    private final Revocable<NovaDevice> sysfsActive = new Revocable<>(this, d -> { }, nanos -> { });
    private volatile IrqHandler irq;
    private int timerCount;
    private int workCount;
    private boolean removing;
    private volatile boolean removed;
    private volatile boolean freed;

    NovaDevice(BoundDevice bound, Policy policy, ModuleText text, Chipset chipset, int revision, BarHandle bar,
               History history, NovaContext ctx, Supplier<Faults> faults) {
        this.bound = bound;
        this.policy = policy;
        this.text = text;
        this.chipset = chipset;
        this.revision = revision;
        this.bar = bar;
        this.ptimer = new Ptimer(bar);
        this.history = history;
        this.address = bound.device().address().toString();
        this.lock = new DriverLock(ctx, address);
        this.faults = faults;
    }

    /** The driver's faults now: its callbacks' bugs take effect the next time they run. */
    Faults faults() {
        return faults.get();
    }

    /** {@code &nd->lock}, the driver data's mutex. */
    DriverLock lock() {
        return lock;
    }

    /** The epoch of the host's stuck-wait breaks it was probed in ({@link StuckWaits}). */
    long born() {
        return lock.born();
    }

    /** Whether remove() has begun (a work function's bug checks it). */
    synchronized boolean isRemoving() {
        return removing;
    }

    public String address() {
        return address;
    }

    BoundDevice bound() {
        return bound;
    }

    public Policy policy() {
        return policy;
    }

    ModuleText text() {
        return text;
    }

    public Chipset chipset() {
        return chipset;
    }

    public int revision() {
        return revision;
    }

    public BarHandle bar() {
        return bar;
    }

    public Ptimer ptimer() {
        return ptimer;
    }

    /** The binding's own events: probe, remove() started and returned, revoked, freed. */
    History history() {
        return history;
    }

    public boolean isRemoved() {
        return removed;
    }

    public boolean isFreed() {
        return freed;
    }

    synchronized void add(DriverTimer timer) {
        refuseWhileRemoving();
        timers.add(timer);
    }

    synchronized void add(DriverWork work) {
        refuseWhileRemoving();
        works.add(work);
    }

    synchronized void add(DeviceFile file) {
        refuseWhileRemoving();
        files.add(file);
    }

    synchronized void forget(DeviceFile file) {
        files.remove(file);
    }

    /** A cancelled timer no longer counts against the device, and its memory can go. */
    synchronized void forget(DriverTimer timer) {
        if (timers.remove(timer) || timer.scope() == Scope.MODULE) {
            timerCount = Math.max(0, timerCount - 1);
        }
    }

    synchronized void forget(DriverWork work) {
        if (works.remove(work) || work.scope() == Scope.MODULE) {
            workCount = Math.max(0, workCount - 1);
        }
    }

    /** {@code ENOSPC} once the device has as many timers (of either scope) as it may; counts this one. */
    synchronized void countTimer(ObjectLimits limits) {
        ObjectLimits.check("timers", timerCount, limits.timersPerDevice(), address());
        timerCount++;
    }

    synchronized void countWork(ObjectLimits limits) {
        ObjectLimits.check("work items", workCount, limits.worksPerDevice(), address());
        workCount++;
    }

    synchronized void checkFileLimit(ObjectLimits limits) {
        ObjectLimits.check("open files", files.size(), limits.filesPerDevice(), address());
    }

    /**
     * Admits a new timer, work item or file: {@code make} checks the device's limit, makes the object,
     * puts it in its owner's set (the device's, or the module's for module scope, which still needs the
     * device bound to be made) and starts it, all under the lock remove() takes to begin. So remove(),
     * whose snapshot follows {@link #beginRemove()}, finds the object already started and stops it, or
     * the object is refused before it exists: never added in time but armed or queued after remove() has
     * cancelled what it found, and never numbered or logged when refused.
     *
     * <p>{@code make} may take the module's lock (a file's {@code try_module_get}), a leaf lock that is
     * never held while this one is taken.
     */
    synchronized <T> T admit(Supplier<T> make) {
        refuseWhileRemoving();
        return make.get();
    }

    /** Enters the MMIO attribute; empty once a fenced remove() has drained it. */
    Optional<Revocable.Guard<NovaDevice>> sysfsEnter() {
        return sysfsActive.tryAccess();
    }

    /** {@code kernfs_drain}: no new attribute access starts, those in flight finish. */
    void sysfsDrain() {
        sysfsActive.revoke();
    }

    void attachIrq(IrqHandler handler) {
        this.irq = handler;
    }

    /** The interrupt handler probe installed; empty only while probe has not got that far. */
    Optional<IrqHandler> irq() {
        return Optional.ofNullable(irq);
    }

    private void refuseWhileRemoving() {
        if (removing) {
            throw KernelException.of(Errno.ENODEV, address() + " is being unbound");
        }
    }

    synchronized void beginRemove() {
        removing = true;
    }

    void markRemoved() {
        removed = true;
    }

    void markFreed() {
        freed = true;
    }

    synchronized List<DriverTimer> timers() {
        return new ArrayList<>(timers);
    }

    synchronized List<DriverWork> works() {
        return new ArrayList<>(works);
    }

    synchronized List<DeviceFile> files() {
        return new ArrayList<>(files);
    }
}
