package dev.novahost.kernel.novacore;

import dev.novahost.kernel.fault.CallSite;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.fault.InjectionPoint;
import dev.novahost.kernel.fault.RemoveOrder;
import dev.novahost.kernel.fault.RemoveStep;
import dev.novahost.kernel.firmware.FirmwareStore;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.devres.Devres;
import dev.novahost.kernel.devres.DevresList;
import dev.novahost.kernel.driver.PciDriver;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.driver.ProbeContext;
import dev.novahost.kernel.events.DevresEvent;
import dev.novahost.kernel.events.DriverEvent;
import dev.novahost.kernel.events.History;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciDevice;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.task.Breakpoints;
import dev.novahost.kernel.timer.HrTimer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The nova-core PCI driver: probes NVIDIA display-class devices as the real driver does, keeps BAR0
 * behind the handle the policy asks for, and tears down on remove what the driver data owns. The timers,
 * work items and files are made and cancelled by {@link DriverObjects}; remove() and the drop of the
 * driver data stop what is left of them.
 *
 * <p>Its {@code remove()} is the C driver's teardown, with the steps the {@link Faults} leave out left
 * out. Under {@code fenced} nothing else protects the device: what remove() forgot is still there when
 * the driver data is freed, and runs into freed memory later. Under {@code revocable} (and {@code srcu},
 * whose BAR0 is an SRCU-style {@link SrcuBar}; its remove() is revocable's) the framework owns
 * the driver data and the device resources: dropping them cancels and frees whatever remove() forgot,
 * and the sanitizer records each such save as {@code prevented}.
 *
 * <p>Thread-safety: probe and remove run under the device lock (driver core); object creation may race
 * with remove and is refused once remove has begun ({@link NovaDevice}). The faults are a volatile
 * reference to an immutable value.
 */
public final class NovaCoreDriver implements PciDriver<NovaDevice> {

    public static final String NAME = "nova-core";

    static final String DEVRES_ENABLE = "pci_enable_device";
    static final String DEVRES_REGION = "pci_request_region BAR0";
    static final String DEVRES_IOMAP = "pci_iomap BAR0";
    static final String DEVRES_IRQ = "request_irq PTIMER alarm";
    static final String DEVRES_DRVDATA = "driver data";
    /** What a lock-held step's injection names: {@code hrtimer_cancel(under &nd->lock)}. */
    private static final String UNDER_LOCK = "under &nd->lock";

    private final NovaContext ctx;
    private final DriverObjects objects;
    private volatile Faults faults = Faults.NONE;

    NovaCoreDriver(NovaContext ctx, DriverObjects objects) {
        this.ctx = ctx;
        this.objects = objects;
    }

    @Override
    public String name() {
        return NAME;
    }

    public Faults faults() {
        return faults;
    }

    /**
     * The faults the next probe and remove() have, kept with the seed in use (theirs, or the one the
     * injector picked), so that what is read back, and what the journal records from the event, repeats
     * the run.
     */
    public void setFaults(Faults faults) {
        var configured = ctx.injector().configure(faults);
        this.faults = configured;
        ctx.log().emit(new DriverEvent.FaultsChanged(NAME, configured));
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
        var loaded = objects.liveModule();
        var bugs = faults;
        PciDevice device = ctx.device();
        var devres = ctx.devres();
        var history = new History();
        this.ctx.log().emit(history, new DriverEvent.Probing(device.address().toString(), NAME, ctx.policy()));

        fallible(InjectionPoint.PCI_ENABLE_DEVICE, device);
        device.enable();
        devres.add(DEVRES_ENABLE, device::disable);
        requestRegion(ctx, bugs, history);
        BarHandle bar = iomap(ctx, device, devres, history);
        Chipset chipset = identify(ctx.bound(), bar);
        int revision = bar.access(ctx.bound()).read32(Bar0.NV_PMC_BOOT_0) & 0xff;

        fallible(InjectionPoint.KZALLOC, device);
        var data = new NovaDevice(ctx.bound(), ctx.policy(), loaded.text(), chipset, revision, bar, history, this.ctx,
                this::faults);
        devres.add(DEVRES_DRVDATA, () -> drop(data));
        requestIrq(ctx, bugs, data); // after the data it uses, so that it is freed before the data is dropped
        requestFirmware(device, chipset, history);
        bootGpu(ctx.bound(), device, bar);
        // probeFailure: the shorthand for failing probe after all its steps (every injection point went through)
        if (bugs.probeFailure().isPresent()) {
            var errno = bugs.probeFailure().get();
            throw KernelException.of(errno, device.address() + ": probe failed with " + errno + " (injected fault)");
        }
        this.ctx.log().emit(history, new DriverEvent.Probed(data.address(), NAME, chipset, revision));
        return data;
    }

    private void requestRegion(ProbeContext ctx, Faults bugs, History history) {
        var device = ctx.device();
        fallible(InjectionPoint.PCI_REQUEST_REGION, device);
        device.requestRegion(NAME);
        // one eligible call of leakRegion per region request: the devres choice is made here
        if (!Injections.fires(this.ctx, Fault.LEAK_REGION, CallSite.PROBE, device.address().toString(), "BAR0", history)) {
            ctx.devres().add(DEVRES_REGION, device::releaseRegion);
        } else if (ctx.policy().revokesAtUnbind()) {
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
        fallible(InjectionPoint.PCI_IOMAP, device);
        var mapping = new IoMapping(device, this.ctx.accounting());
        return switch (ctx.policy()) {
            case REVOCABLE -> new RevocableBar(device.address(), revocable(ctx, devres, history, mapping), mapping, this.ctx.accounting());
            case SRCU -> {
                var bar = revocable(ctx, devres, history, mapping);
                yield new SrcuBar(bar, new RevocableBar(device.address(), bar, mapping, this.ctx.accounting()));
            }
            case FENCED -> {
                devres.add(DEVRES_IOMAP, mapping::unmap);
                yield new FencedBar(mapping);
            }
        };
    }

    /** BAR0 as a {@code Devres}, revoked by devres at unbind after waiting for its readers ({@code (srcu)BAR0}). */
    private Devres<IoMapping> revocable(ProbeContext ctx, DevresList devres, History history, IoMapping mapping) {
        return Devres.register(ctx.device(), devres, DEVRES_IOMAP, mapping, IoMapping::revoke,
                waited -> revoked(ctx, history, waited), this.ctx.locks().lockdep(), "(srcu)BAR0");
    }

    /**
     * BAR0's {@code Devres} was revoked: logged as the device's own event, so that the timeline of a
     * later {@code mmio_after_revoke} shows the revocation the access ran into (DESIGN.md §6).
     */
    private void revoked(ProbeContext ctx, History history, long waitedNs) {
        this.ctx.log().emit(history, new DevresEvent.Revoked(ctx.device().address().toString(), "BAR0", waitedNs));
    }

    private void requestIrq(ProbeContext ctx, Faults bugs, NovaDevice data) {
        fallible(InjectionPoint.REQUEST_IRQ, ctx.device());
        var handler = new IrqHandler(this.ctx, data, ctx.device().irq(), ctx.devres());
        handler.request();
        data.attachIrq(handler);
        if (!bugs.has(Fault.FORGET_IRQ_FREE)) {
            handler.devmManage();
        } else if (ctx.policy().revokesAtUnbind()) {
            catchForgottenIrq(ctx.devres(), handler);
        }
    }

    /** Revocable, srcu: the framework owns every device resource; an IRQ handler remove() left installed is freed by devres. */
    private void catchForgottenIrq(DevresList devres, IrqHandler handler) {
        devres.add(DEVRES_IRQ, () -> {
            if (handler.free()) {
                ModuleCall.report(ctx, handler, ViolationKind.IRQ_AFTER_REMOVE, Outcome.PREVENTED,
                        "IRQ handler left installed by remove(); freed by devres before it could run");
            }
        });
    }

    /**
     * {@code request_firmware()} of the chip's {@code booter_load} image, checked and released at once. A
     * missing file (or the injected point) is the loader's "Direct firmware load for NAME failed with error
     * -2" and {@code ENOENT}; a file whose {@code BinHdr} magic is wrong is {@code EINVAL}. Nothing is left
     * to unwind: the image is released before probe goes on.
     */
    private void requestFirmware(PciDevice device, Chipset chipset, History history) {
        String name = FirmwareStore.bootloaderName(chipset);
        String address = device.address().toString();
        var injected = ctx.injector().fail(InjectionPoint.REQUEST_FIRMWARE, CallSite.PROBE, address);
        var image = injected.isPresent() ? Optional.<byte[]>empty() : ctx.firmware().find(name);
        if (image.isEmpty()) {
            var errno = injected.orElse(Errno.ENOENT);
            ctx.log().emit(history, new DriverEvent.FirmwareFailed(address, NAME, name, errno));
            throw KernelException.of(errno, address + ": request_firmware(" + name + ") failed with -" + errno
                    + (injected.isPresent() ? " (injected)" : ""));
        }
        try {
            FirmwareStore.checkHeader(name, image.get());
        } catch (KernelException bad) {
            throw KernelException.of(bad.errno(), address + ": " + bad.getMessage());
        }
    }

    /** The device time boot may take before probe gives up ({@code read_poll_timeout}'s timeout). */
    static final long BOOT_TIMEOUT_NS = 10_000_000;
    /** The sleep between two reads of the boot status. */
    static final long BOOT_POLL_NS = 10_000;

    /**
     * Starts the GPU ({@code STARTCPU}) and waits for it to report boot complete, reading
     * {@code NV_PGC6_AON_SECURE_SCRATCH_GROUP_05} every {@link #BOOT_POLL_NS} for at most
     * {@link #BOOT_TIMEOUT_NS}: {@code ETIMEDOUT} at that deadline. The {@code read_poll_timeout} point
     * makes the GPU's boot hang, so that the poll runs to its deadline as it would on a real hang.
     */
    private void bootGpu(BoundDevice bound, PciDevice device, BarHandle bar) {
        var injected = ctx.injector().fail(InjectionPoint.READ_POLL_TIMEOUT, CallSite.PROBE, device.address().toString());
        if (injected.isPresent()) {
            device.bar0().stallNextBoot();
        }
        var io = bar.access(bound);
        io.write32(Bar0.NV_PGSP_FALCON_CPUCTL, Bar0.CPUCTL_STARTCPU);
        try {
            ReadPoll.readPollTimeout(ctx.engine(), () -> io.read32(Bar0.NV_PGC6_AON_SECURE_SCRATCH_GROUP_05),
                    status -> (status & 0xff) == Bar0.GFW_BOOT_COMPLETED, BOOT_POLL_NS, BOOT_TIMEOUT_NS,
                    device.address() + ": GPU boot (NV_PGC6_AON_SECURE_SCRATCH_GROUP_05)");
        } catch (KernelException timedOut) {
            var errno = injected.orElse(timedOut.errno());
            throw KernelException.of(errno, timedOut.getMessage() + (injected.isPresent() ? " (injected)" : ""));
        }
    }

    /**
     * A fallible step of probe: when an injection says so ({@link InjectionPoint}, fail-nth) the call fails
     * here as the real one would, with its errno and before it acquires anything, and devres unwinds
     * what the steps before it acquired.
     */
    private void fallible(InjectionPoint point, PciDevice device) {
        var errno = ctx.injector().fail(point, CallSite.PROBE, device.address().toString());
        if (errno.isPresent()) {
            throw KernelException.of(errno.get(), device.address() + ": " + point.word() + " failed with -"
                    + errno.get() + " (injected)");
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
     * unless the order is wrong; or, when the faults carry a remove order ({@link RemoveOrder}), exactly
     * the steps it lists, whatever the boolean faults say. Each step reaches its breakpoint first
     * ({@code remove:hrtimer_cancel}), so a reproducer can hold the unbind between two steps.
     */
    @Override
    public void remove(BoundDevice bound, NovaDevice data) {
        data.beginRemove();
        log(data, new DriverEvent.RemoveStarted(data.address(), NAME));
        if (data.policy() == Policy.FENCED) {
            data.sysfsDrain();
        }
        var written = faults.remove().stepsFor(data.policy());
        if (written.isPresent()) {
            removeAsWritten(bound, data, written.get());
        } else {
            removeBuiltIn(data);
        }
        data.markRemoved();
        log(data, new DriverEvent.RemoveReturned(data.address(), NAME));
    }

    private void removeBuiltIn(NovaDevice data) {
        boolean fenced = data.policy() == Policy.FENCED;
        // Fenced: devres would free the handler only after remove() returned: an interrupt in between would
        // run the handler of a removed device. free_irq here also waits for a handler already running.
        // Revocable: devres frees it, unless probe left it unmanaged (forgetIrqFree): then remove() does.
        data.irq().filter(irq -> fenced || !irq.managed()).ifPresent(irq -> {
            reach(data, RemoveStep.of(RemoveStep.Kind.FREE_IRQ));
            if (!Injections.fires(ctx, Fault.FORGET_IRQ_FREE, CallSite.REMOVE, irq, irq.name())) {
                if (fenced) {
                    underLockIf(Injections.fires(ctx, Fault.FREE_IRQ_UNDER_LOCK, CallSite.REMOVE, data.address(), UNDER_LOCK,
                            data.history()), data, irq::devmFree);
                } else {
                    irq.free();
                }
            }
        });
        if (fenced) {
            reach(data, RemoveStep.of(RemoveStep.Kind.DISCONNECT_FILES));
            for (DeviceFile file : data.files()) { // each open file one eligible call of forgetFileDisconnect
                if (!Injections.fires(ctx, Fault.FORGET_FILE_DISCONNECT, CallSite.REMOVE, file, file.name())) {
                    file.disconnect();
                }
            }
        }
        var timers = timersOf(data, fenced);
        var works = worksOf(data, fenced);
        Runnable cancelTimers = () -> {
            reach(data, RemoveStep.of(RemoveStep.Kind.HRTIMER_CANCEL));
            var cancelled = timers.stream()
                    .filter(timer -> !Injections.fires(ctx, Fault.FORGET_TIMER_CANCEL, CallSite.REMOVE, timer, timer.name())).toList();
            if (!cancelled.isEmpty()) {
                underLockIf(Injections.fires(ctx, Fault.CANCEL_UNDER_LOCK, CallSite.REMOVE, data.address(), UNDER_LOCK, data.history()),
                        data, () -> cancelled.forEach(DriverTimer::cancel));
            }
        };
        Runnable cancelWorks = () -> {
            reach(data, RemoveStep.of(RemoveStep.Kind.CANCEL_WORK_SYNC));
            for (DriverWork work : works) {
                if (!Injections.fires(ctx, Fault.FORGET_WORK_CANCEL, CallSite.REMOVE, work, work.name())) {
                    work.cancelSync();
                }
            }
        };
        if (Injections.fires(ctx, Fault.WRONG_CANCEL_ORDER, CallSite.REMOVE, data.address(), data.address(), data.history())) {
            cancelWorks.run();
            cancelTimers.run();
        } else {
            cancelTimers.run();
            cancelWorks.run();
        }
    }

    /**
     * The user's teardown: each step reaches its breakpoint, is logged ({@code driver.remove-step}) and
     * runs now, in the order written. What it leaves out is left to devres and the drop, as for a C
     * driver that forgot it: a handler it does not free stays installed (unmanaged, as
     * {@code forgetIrqFree}); timers and work it does not cancel are cancelled by the drop under
     * revocable (prevented) and freed active under fenced (occurred). A lock it leaves held is released
     * when it returns, and the log says so.
     */
    private void removeAsWritten(BoundDevice bound, NovaDevice data, List<RemoveStep> steps) {
        DriverLock.Held held = null;
        boolean irqFreed = false;
        try {
            for (RemoveStep step : steps) {
                reach(data, step);
                log(data, new DriverEvent.RemoveStepRan(data.address(), NAME, step.word()));
                switch (step.kind()) {
                    case FREE_IRQ -> {
                        data.irq().ifPresent(IrqHandler::devmFree);
                        irqFreed = true;
                    }
                    case DISCONNECT_FILES -> data.files().forEach(DeviceFile::disconnect);
                    case HRTIMER_CANCEL -> timersOf(data, withModule(step, data)).stream()
                            .filter(timer -> aimedAt(step, timer.id())).forEach(DriverTimer::cancel);
                    case CANCEL_WORK_SYNC -> worksOf(data, withModule(step, data)).stream()
                            .filter(work -> aimedAt(step, work.id())).forEach(DriverWork::cancelSync);
                    case PCI_IOUNMAP -> data.bar().iounmap();
                    case PCI_RELEASE_REGION -> bound.device().releaseRegion();
                    case MUTEX_LOCK -> held = data.lock().lock("nova_remove");
                    case MUTEX_UNLOCK -> { // RemoveStep.checked: a lock is held here
                        held.close();
                        held = null;
                    }
                }
            }
        } finally {
            if (held != null) {
                held.close();
                if (held.acquired()) {
                    log(data, new DriverEvent.RemoveLockReleased(data.address(), NAME));
                }
            }
        }
        if (!irqFreed) {
            data.irq().filter(IrqHandler::managed).ifPresent(irq -> {
                var devres = irq.unmanage();
                if (data.policy().revokesAtUnbind()) {
                    catchForgottenIrq(devres, irq);
                }
            });
        }
    }

    /**
     * Whether a cancel step looks among the module-scope objects that use the device too: fenced, as the
     * built-in order does; revocable, only for the one it names (the module's own are not remove()'s there).
     */
    private static boolean withModule(RemoveStep step, NovaDevice data) {
        return data.policy() == Policy.FENCED || step.target().isPresent();
    }

    /** Whether a cancel step stops the object with this id: the one it names, or every one without a target. */
    private static boolean aimedAt(RemoveStep step, long id) {
        return step.target().isEmpty() || step.target().getAsLong() == id;
    }

    /** The device's timers and, with {@code module} and while it is loaded, the module-scope ones that use it. */
    private List<DriverTimer> timersOf(NovaDevice data, boolean module) {
        var timers = new ArrayList<>(data.timers());
        if (module) {
            objects.module().ifPresent(loaded -> timers.addAll(loaded.timersOf(data)));
        }
        return timers;
    }

    private List<DriverWork> worksOf(NovaDevice data, boolean module) {
        var works = new ArrayList<>(data.works());
        if (module) {
            objects.module().ifPresent(loaded -> works.addAll(loaded.worksOf(data)));
        }
        return works;
    }

    /** Waits at the step's breakpoint, if a reproducer holds the unbind there. */
    private void reach(NovaDevice data, RemoveStep step) {
        ctx.breakpoints().reach(Breakpoints.point(data.address(), "remove:" + step.word()));
    }

    /**
     * {@code mutex_lock(&nd->lock)} around {@code step} when a bug says so ({@code cancelUnderLock},
     * {@code freeIrqUnderLock}): the lock is held while the step waits for a callback that takes it.
     */
    private static void underLockIf(boolean bug, NovaDevice data, Runnable step) {
        if (!bug) {
            step.run();
            return;
        }
        try (var locked = data.lock().lock("nova_remove")) {
            step.run();
        }
    }

    /**
     * The devres entry that frees the driver data. What is still armed or pending now was forgotten by
     * remove(): under revocable and srcu the drop cancels it ({@code HrTimer} and work drop), under fenced the
     * memory is freed under it (ODEBUG's "free active object").
     *
     * <p>Under revocable the drop shuts down every timer and disables every work item of the device,
     * idle ones too: remove()'s {@code cancel_work_sync} leaves work usable, and a module-scope timer,
     * which outlives the binding, may queue it again after the data is gone. Only what was still active
     * was a save, and only that is reported.
     */
    private void drop(NovaDevice data) {
        var table = objects.table();
        table.reapOrphans();
        boolean revocable = data.policy().revokesAtUnbind();
        var outcome = revocable ? Outcome.PREVENTED : Outcome.OCCURRED;
        for (DriverTimer timer : data.timers()) {
            if (revocable ? shutDown(timer) : timer.isActive()) {
                ModuleCall.report(ctx, timer, ViolationKind.TIMER_FREE_ACTIVE, outcome, timer.name()
                        + (revocable ? " still armed when the driver data was dropped; the drop cancelled it"
                        : " still armed when the driver data was freed"));
            }
            table.freed(timer);
        }
        for (DriverWork work : data.works()) {
            if (revocable ? work.disable() : work.isActive()) {
                ModuleCall.report(ctx, work, ViolationKind.WORK_FREE_ACTIVE, outcome, work.name()
                        + (revocable ? " still pending when the driver data was dropped; the drop cancelled it"
                        : " still pending when the driver data was freed"));
            }
            table.freed(work);
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

    private void log(NovaDevice data, DriverEvent event) {
        ctx.log().emit(data.history(), event);
    }

    private void reportDevice(PciDevice device, Policy policy, History history, ViolationKind kind, Outcome outcome,
                              String message) {
        var generation = objects.module().map(m -> m.text().generation()).orElse(0);
        ctx.sanitizer().report(kind, outcome, policy, device.address().toString(), "region " + device.address(),
                generation, message, history.events());
    }
}
