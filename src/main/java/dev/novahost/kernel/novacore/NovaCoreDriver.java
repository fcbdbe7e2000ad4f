package dev.novahost.kernel.novacore;

import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.devres.Devres;
import dev.novahost.kernel.devres.DevresList;
import dev.novahost.kernel.driver.PciDriver;
import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.driver.ProbeContext;
import dev.novahost.kernel.events.DevresEvent;
import dev.novahost.kernel.events.DriverEvent;
import dev.novahost.kernel.events.History;
import dev.novahost.kernel.module.Module;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciDevice;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.timer.HrTimer;
import java.util.ArrayList;
import java.util.Optional;

/**
 * The nova-core PCI driver: probes NVIDIA display-class devices as the real driver does, keeps BAR0
 * behind the handle the policy asks for, and owns the timers, work items and files made on a device.
 *
 * <p>Its {@code remove()} is the C driver's teardown, with the steps the {@link Faults} leave out left
 * out. Under {@code fenced} nothing else protects the device: what remove() forgot is still there when
 * the driver data is freed, and runs into freed memory later. Under {@code revocable} the framework owns
 * the driver data and the device resources: dropping them cancels and frees whatever remove() forgot,
 * and the sanitizer records each such save as {@code prevented}.
 *
 * <p>Thread-safety: probe and remove run under the device lock (driver core); object creation may race
 * with remove and is refused once remove has begun ({@link NovaDevice}). Faults and the module's objects
 * are volatile references to immutable or thread-safe values.
 */
public final class NovaCoreDriver implements PciDriver<NovaDevice> {

    public static final String NAME = "nova-core";

    static final String DEVRES_ENABLE = "pci_enable_device";
    static final String DEVRES_REGION = "pci_request_region BAR0";
    static final String DEVRES_IOMAP = "pci_iomap BAR0";
    static final String DEVRES_IRQ = "request_irq PTIMER alarm";
    static final String DEVRES_DRVDATA = "driver data";

    private final NovaContext ctx;
    private final ObjectTable objects = new ObjectTable();
    private volatile Faults faults = Faults.NONE;
    private volatile ModuleObjects module;

    NovaCoreDriver(NovaContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return NAME;
    }

    public ObjectTable objects() {
        return objects;
    }

    public Faults faults() {
        return faults;
    }

    public void setFaults(Faults faults) {
        this.faults = faults;
    }

    /** {@code PCI_VENDOR_ID_NVIDIA}, display class: what nova-core's id table names. */
    @Override
    public boolean matches(PciDevice device) {
        return device.vendorId() == Chipset.VENDOR_NVIDIA && (device.classCode() >> 16) == 0x03;
    }

    // --- probe --------------------------------------------------------------------------------------

    /**
     * Enable, claim the region, map BAR0, identify the chip, install the interrupt handler, create the
     * timer subdevice. Each step is devres-managed (the devres list undoes a failed probe in reverse),
     * except where a fault makes the driver use the unmanaged C call instead.
     */
    @Override
    public NovaDevice probe(ProbeContext ctx) {
        var loaded = module;
        if (loaded == null) {
            throw KernelException.of(Errno.ENODEV, "nova-core is not loaded");
        }
        var bugs = faults;
        PciDevice device = ctx.device();
        var devres = ctx.devres();
        var history = new History();
        this.ctx.log().emit(history, new DriverEvent.Probing(device.address().toString(), NAME, ctx.policy()));

        device.enable();
        devres.add(DEVRES_ENABLE, device::disable);
        requestRegion(ctx, bugs, history);
        BarHandle bar = iomap(ctx, device, devres, history);
        Chipset chipset = identify(ctx.bound(), bar);
        int revision = bar.access(ctx.bound()).read32(Bar0.NV_PMC_BOOT_0) & 0xff;

        var data = new NovaDevice(ctx.bound(), ctx.policy(), loaded.text(), chipset, revision, bar, history);
        devres.add(DEVRES_DRVDATA, () -> drop(data));
        requestIrq(ctx, bugs, data); // after the data it uses, so that it is freed before the data is dropped
        if (bugs.probeFailure().isPresent()) {
            var errno = bugs.probeFailure().get();
            throw KernelException.of(errno, device.address() + ": probe failed with " + errno + " (injected fault)");
        }
        this.ctx.log().emit(history, new DriverEvent.Probed(data.address(), NAME, chipset, revision));
        return data;
    }

    private void requestRegion(ProbeContext ctx, Faults bugs, History history) {
        var device = ctx.device();
        device.requestRegion(NAME);
        if (!bugs.has(Fault.LEAK_REGION)) {
            ctx.devres().add(DEVRES_REGION, device::releaseRegion);
        } else if (ctx.policy() == Policy.REVOCABLE) {
            // The framework owns every device resource; the unmanaged request is caught at unbind.
            ctx.devres().add(DEVRES_REGION, () -> {
                if (device.isRegionHeld()) {
                    device.releaseRegion();
                    reportDevice(ctx.device(), ctx.policy(), history, ViolationKind.DEVRES_LEAK, Outcome.PREVENTED,
                            "BAR0 region left claimed by remove(); released by devres");
                }
            });
        }
    }

    private BarHandle iomap(ProbeContext ctx, PciDevice device, DevresList devres, History history) {
        var mapping = new IoMapping(device.address(), device.bar0(), this.ctx.accounting());
        return switch (ctx.policy()) {
            case REVOCABLE -> new RevocableBar(device.address(), Devres.register(device, devres, DEVRES_IOMAP,
                    mapping, IoMapping::unmap, waited -> revoked(ctx, history, waited)), this.ctx.accounting());
            case FENCED -> {
                devres.add(DEVRES_IOMAP, mapping::unmap);
                yield new FencedBar(device, mapping);
            }
        };
    }

    /**
     * BAR0's {@code Devres} was revoked: logged as the device's own event, so that the timeline of a
     * later {@code mmio_after_revoke} shows the revocation the access ran into (DESIGN.md §6).
     */
    private void revoked(ProbeContext ctx, History history, long waitedNs) {
        this.ctx.log().emit(history, new DevresEvent.Revoked(ctx.device().address().toString(), "BAR0", waitedNs));
    }

    private void requestIrq(ProbeContext ctx, Faults bugs, NovaDevice data) {
        var handler = new IrqHandler(this.ctx, data, ctx.device().irq(), ctx.devres());
        handler.request();
        data.attachIrq(handler);
        if (!bugs.has(Fault.FORGET_IRQ_FREE)) {
            handler.devmManage();
        } else if (ctx.policy() == Policy.REVOCABLE) {
            ctx.devres().add(DEVRES_IRQ, () -> {
                if (handler.free()) {
                    ModuleCall.report(this.ctx, handler, ViolationKind.IRQ_AFTER_REMOVE, Outcome.PREVENTED,
                            "IRQ handler left installed by remove(); freed by devres before it could run");
                }
            });
        }
    }

    /**
     * Reads {@code NV_PMC_BOOT_0} (and {@code BOOT_42}, which must agree) and decodes the chipset as
     * nova-core does; anything it does not support is {@code ENODEV}.
     */
    static Chipset identify(BoundDevice bound, BarHandle bar) {
        var io = bar.access(bound);
        int boot0 = io.read32(Bar0.NV_PMC_BOOT_0);
        int boot42 = io.read32(Bar0.NV_PMC_BOOT_42);
        int architecture = ((boot0 >>> 24) & 0x1f) | (((boot0 >>> 8) & 1) << 5);
        int implementation = (boot0 >>> 20) & 0xf;
        int id = architecture << 4 | implementation;
        int id42 = ((boot42 >>> 24) & 0x3f) << 4 | ((boot42 >>> 20) & 0xf);
        String address = bound.device().address().toString();
        if (id != id42) {
            throw KernelException.of(Errno.ENODEV, String.format(
                    "%s: NV_PMC_BOOT_0 (0x%08x) and NV_PMC_BOOT_42 (0x%08x) name different chipsets", address, boot0, boot42));
        }
        return Chipset.fromId(id).filter(Chipset::supported).orElseThrow(() -> KernelException.of(Errno.ENODEV,
                String.format("%s: unsupported chipset 0x%03x (NV_PMC_BOOT_0 = 0x%08x)", address, id, boot0)));
    }

    // --- remove -------------------------------------------------------------------------------------

    /**
     * The C driver's teardown: free the interrupt handler and disconnect open files (fenced), cancel the
     * timers and work it owns (and, fenced, the module-scope ones that use this device), in that order
     * unless the order is wrong.
     */
    @Override
    public void remove(BoundDevice bound, NovaDevice data) {
        var bugs = faults;
        data.beginRemove();
        log(data, new DriverEvent.RemoveStarted(data.address(), NAME));
        boolean fenced = data.policy() == Policy.FENCED;
        if (fenced) {
            data.sysfsDrain();
        }
        if (fenced && !bugs.has(Fault.FORGET_IRQ_FREE)) {
            // devres would free it only after remove() returned: an interrupt in between would run the
            // handler of a removed device. free_irq here also waits for a handler already running.
            data.irq().ifPresent(IrqHandler::devmFree);
        }
        if (fenced && !bugs.has(Fault.FORGET_FILE_DISCONNECT)) {
            data.files().forEach(DeviceFile::disconnect);
        }
        var timers = new ArrayList<>(data.timers());
        var works = new ArrayList<>(data.works());
        var loaded = module;
        if (fenced && loaded != null) {
            timers.addAll(loaded.timersOf(data));
            works.addAll(loaded.worksOf(data));
        }
        Runnable cancelTimers = () -> {
            if (!bugs.has(Fault.FORGET_TIMER_CANCEL)) {
                timers.forEach(DriverTimer::cancel);
            }
        };
        Runnable cancelWorks = () -> {
            if (!bugs.has(Fault.FORGET_WORK_CANCEL)) {
                works.forEach(DriverWork::cancelSync);
            }
        };
        if (bugs.has(Fault.WRONG_CANCEL_ORDER)) {
            cancelWorks.run();
            cancelTimers.run();
        } else {
            cancelTimers.run();
            cancelWorks.run();
        }
        data.markRemoved();
        log(data, new DriverEvent.RemoveReturned(data.address(), NAME));
    }

    /**
     * The devres entry that frees the driver data. What is still armed or pending now was forgotten by
     * remove(): under revocable the drop cancels it ({@code HrTimer} and work drop), under fenced the
     * memory is freed under it (ODEBUG's "free active object").
     *
     * <p>Under revocable the drop shuts down every timer and disables every work item of the device,
     * idle ones too: remove()'s {@code cancel_work_sync} leaves work usable, and a module-scope timer,
     * which outlives the binding, may queue it again after the data is gone. Only what was still active
     * was a save, and only that is reported.
     */
    private void drop(NovaDevice data) {
        objects.reapOrphans();
        boolean revocable = data.policy() == Policy.REVOCABLE;
        var outcome = revocable ? Outcome.PREVENTED : Outcome.OCCURRED;
        for (DriverTimer timer : data.timers()) {
            if (revocable ? shutDown(timer) : timer.isActive()) {
                ModuleCall.report(ctx, timer, ViolationKind.TIMER_FREE_ACTIVE, outcome, timer.name()
                        + (revocable ? " still armed when the driver data was dropped; the drop cancelled it"
                        : " still armed when the driver data was freed"));
            }
            if (!timer.isActive()) {
                objects.remove(timer);
            } else {
                objects.orphan(timer);
            }
        }
        for (DriverWork work : data.works()) {
            if (revocable ? work.disable() : work.isActive()) {
                ModuleCall.report(ctx, work, ViolationKind.WORK_FREE_ACTIVE, outcome, work.name()
                        + (revocable ? " still pending when the driver data was dropped; the drop cancelled it"
                        : " still pending when the driver data was freed"));
            }
            if (!work.isActive()) {
                objects.remove(work);
            } else {
                objects.orphan(work);
            }
        }
        data.markFreed();
        log(data, new DriverEvent.DataFreed(data.address(), NAME));
    }

    /** {@code timer_shutdown_sync} unless it is shut down already (remove() cancels for good); true if it was active. */
    private static boolean shutDown(DriverTimer timer) {
        return timer.state() != HrTimer.State.CANCELLED && timer.cancel();
    }

    /** After the devres list is released nothing of the driver's may remain: kmemleak's scan. */
    @Override
    public void leakCheck(BoundDevice bound, NovaDevice data) {
        if (bound.device().isRegionHeld()) {
            reportDevice(bound.device(), data.policy(), data.history(), ViolationKind.DEVRES_LEAK, Outcome.OCCURRED,
                    "BAR0 region still claimed after unbind; the next probe will fail with EBUSY");
        }
    }

    // --- objects made through the API ---------------------------------------------------------------

    /**
     * Arms a timer on the driver instance. A {@code queue-work} timer may only queue a work item of that
     * same instance: remove() stops the work of the instance it removes, and a timer of another one
     * (another device, or a later binding of this one) would queue it after that, into freed memory.
     *
     * <p>Every check (removal under way, the target, the device's limit) comes before the timer is
     * made: a refused timer takes no id and writes no {@code timer.created} line.
     */
    public DriverTimer armTimer(NovaDevice device, DriverTimer.Spec spec) {
        var loaded = liveModule();
        return device.admit(() -> {
            spec.target().ifPresent(work -> refuseForeignTarget(device, work));
            device.countTimer(ctx.limits());
            var timer = new DriverTimer(ctx, device, loaded.text(), spec);
            if (spec.scope() == Scope.DEVICE) {
                device.add(timer);
            } else {
                loaded.add(timer);
            }
            objects.add(timer);
            timer.start();
            return timer;
        });
    }

    /**
     * {@code EINVAL} for a work item of another driver instance. Checked under the admit lock, so that
     * the instance cannot be removed between the check and the arming.
     */
    private static void refuseForeignTarget(NovaDevice device, DriverWork work) {
        var owner = work.owner();
        if (owner == device) {
            return;
        }
        throw KernelException.of(Errno.EINVAL, owner.address().equals(device.address())
                ? work.name() + " belongs to an earlier binding of " + owner.address() + ", which has been unbound;"
                        + " a timer can only queue work of the driver instance it is armed on"
                : work.name() + " belongs to " + owner.address() + ", not to " + device.address()
                        + "; a timer can only queue work of the device it is armed on");
    }

    /** Queues a work item; as for timers, a refused one takes no id and writes no {@code work.created} line. */
    public DriverWork queueWork(NovaDevice device, DriverWork.Spec spec) {
        var loaded = liveModule();
        var queue = spec.scope() == Scope.DEVICE ? ctx.systemWq() : loaded.workqueue();
        return device.admit(() -> {
            device.countWork(ctx.limits());
            var work = new DriverWork(ctx, device, loaded.text(), queue, spec);
            if (spec.scope() == Scope.DEVICE) {
                device.add(work);
            } else {
                loaded.add(work);
            }
            objects.add(work);
            work.submit();
            return work;
        });
    }

    /**
     * {@code open}: a module reference first ({@code try_module_get}), {@code ENODEV} once unload has begun.
     * The device's file limit is checked and the file added under one hold of the device's lock, before a
     * descriptor is allocated: concurrent opens cannot overshoot the limit, and a refused one takes no fd.
     */
    public DeviceFile openFile(NovaDevice device, Module owner) {
        return device.admit(() -> {
            device.checkFileLimit(ctx.limits());
            var file = new DeviceFile(ctx, objects.allocateFd(), device);
            var ref = owner.tryGet(file::disassociate).orElseThrow(() -> KernelException.of(Errno.ENODEV,
                    "nova-core is being unloaded; try_module_get failed"));
            device.add(file);
            file.opened(ref);
            objects.add(file);
            return file;
        });
    }

    public void cancelTimer(long id) {
        var timer = objects.timer(id);
        timer.cancel();
        objects.remove(timer);
        timer.owner().forget(timer);
        var loaded = module;
        if (loaded != null) {
            loaded.forget(timer);
        }
    }

    public void cancelWork(long id) {
        var work = objects.work(id);
        work.disable();
        objects.remove(work);
        work.owner().forget(work);
        var loaded = module;
        if (loaded != null) {
            loaded.forget(work);
        }
    }

    public void closeFile(int fd) {
        var file = objects.file(fd);
        try {
            file.close();
        } finally {
            objects.remove(file);
        }
    }

    // --- module init / exit -------------------------------------------------------------------------

    void moduleLoaded(ModuleObjects objects) {
        this.module = objects;
    }

    /**
     * {@code module_exit} after the driver is unregistered: stop the module-scope timers and work (as
     * far as the faults let it), destroy the module's workqueue (draining what is queued; delayed work
     * whose timer has not fired is not waited for).
     */
    void moduleExit() {
        var loaded = module;
        var bugs = faults;
        if (!bugs.has(Fault.FORGET_TIMER_CANCEL)) {
            loaded.timers().forEach(DriverTimer::cancel);
        }
        if (!bugs.has(Fault.FORGET_WORK_CANCEL)) {
            loaded.works().forEach(DriverWork::cancelSync);
        }
        loaded.workqueue().destroy();
        loaded.timers().stream().filter(t -> !t.isActive()).forEach(objects::remove);
        loaded.works().stream().filter(w -> !w.isActive()).forEach(objects::remove);
        module = null;
    }

    private ModuleObjects liveModule() {
        var loaded = module;
        if (loaded == null) {
            throw KernelException.of(Errno.ENODEV, "nova-core is not loaded");
        }
        return loaded;
    }

    private void log(NovaDevice data, DriverEvent event) {
        ctx.log().emit(data.history(), event);
    }

    private void reportDevice(PciDevice device, Policy policy, History history, ViolationKind kind, Outcome outcome,
                              String message) {
        var generation = Optional.ofNullable(module).map(m -> m.text().generation()).orElse(0);
        ctx.sanitizer().report(kind, outcome, policy, device.address().toString(), "region " + device.address(),
                generation, message, history.events());
    }
}
