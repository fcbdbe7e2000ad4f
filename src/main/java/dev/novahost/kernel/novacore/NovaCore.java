package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.FaultEvent;
import dev.novahost.kernel.events.HostEvent;
import dev.novahost.kernel.fault.FaultInjector;
import dev.novahost.kernel.firmware.FirmwareStore;
import dev.novahost.kernel.hungtask.HungTaskDetector;
import dev.novahost.kernel.task.Breakpoints;
import dev.novahost.kernel.lockdep.Lockdep;
import dev.novahost.kernel.module.Module;
import dev.novahost.kernel.pci.PciBus;
import dev.novahost.kernel.pci.PciDevice;
import dev.novahost.kernel.sanitizer.Sanitizer;
import dev.novahost.kernel.timer.TimerEngine;
import dev.novahost.kernel.work.Workqueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The nova-core module as the kernel installs it: the module object, the PCI driver it registers, the
 * objects made on the driver's devices, and the services the API and scenarios use.
 */
public final class NovaCore {

    private final DriverCore driverCore;
    private final NovaCoreDriver driver;
    private final DriverObjects objects;
    private final Module module;
    private final MmioService mmio;
    private final TimerService timers;
    private final WorkService work;
    private final FileService files;
    private final FaultService faults;
    private final StuckWaits waits;
    private final FaultInjector injector;
    private final FirmwareStore firmware;

    public NovaCore(PciBus bus, DriverCore driverCore, TimerEngine engine, Workqueue systemWq, EventLog log,
                    Sanitizer sanitizer, BarAccounting accounting, ObjectLimits limits, Lockdep lockdep,
                    HungTaskDetector hungTasks, Breakpoints breakpoints) {
        var ctx = new NovaContext(engine, systemWq, log, sanitizer, accounting, new AtomicLong(), limits,
                new NovaLocks(lockdep), hungTasks, new StuckWaits(log, hungTasks, engine.isVirtual()), new FaultInjector(
                injected -> logInjection(log, injected)),
                FirmwareStore.preinstalled(change -> log.emit(new HostEvent.FirmwareChanged(change))), breakpoints);
        this.waits = ctx.waits();
        this.injector = ctx.injector();
        this.firmware = ctx.firmware();
        this.driverCore = driverCore;
        this.objects = new DriverObjects(ctx);
        this.driver = new NovaCoreDriver(ctx, objects);
        this.module = new Module(NovaCoreDriver.NAME, new NovaCoreModule(driverCore, driver, objects, ctx));
        this.mmio = new MmioService(bus, this, ctx);
        this.timers = new TimerService(bus, this);
        this.work = new WorkService(bus, this);
        this.files = new FileService(bus, this);
        this.faults = new FaultService(driverCore, driver);
        driverCore.declare(NovaCoreDriver.NAME);
    }

    /** An injection the kernel log tells of, at {@code verbose} 1 and up. */
    private static void logInjection(EventLog log, FaultInjector.Injected injected) {
        if (injected.verbose() > 0) {
            log.emit(new FaultEvent.Injected(injected.device(), injected.name(), injected.where(), injected.errno(),
                    injected.count()));
        }
    }

    /** nova-core's data for the device; {@code ENODEV} (gone, not unknown) when nova-core is not bound to it. */
    public NovaDevice boundTo(PciDevice device) {
        return driverCore.driverData(device, driver).orElseThrow(() -> KernelException.of(Errno.ENODEV,
                "No driver is bound to " + device.address()
                        + ", so there is no BAR0 mapping to access; bind nova-core first"));
    }

    /** Registers through the bound driver. */
    public MmioService mmio() {
        return mmio;
    }

    /** Timers on bound devices. */
    public TimerService timers() {
        return timers;
    }

    /** Work items on bound devices. */
    public WorkService work() {
        return work;
    }

    /** nova-core's character device. */
    public FileService files() {
        return files;
    }

    /** The bugs injected into nova-core's probe and remove(). */
    public FaultService faults() {
        return faults;
    }

    /** The firmware files probe requests ({@code /lib/firmware}). */
    public FirmwareStore firmware() {
        return firmware;
    }

    /** Decides, call by call, whether the injected faults fire. */
    public FaultInjector injector() {
        return injector;
    }

    public NovaCoreDriver driver() {
        return driver;
    }

    /** The timers, work items and files made on nova-core's devices. */
    public DriverObjects objects() {
        return objects;
    }

    public Module module() {
        return module;
    }

    /**
     * Breaks every wait nova-core's instances are stuck in (a contended {@code &nd->lock}, a
     * {@code block} callback, a work function waiting for itself), now and for good: each waiter gives up
     * ({@code wait.aborted}, "by {@code why}") and its callback returns without its action, so that an
     * unbind or unload stuck behind it finishes. What is probed afterwards waits as usual. The host's
     * reset and shutdown call it first.
     */
    public void breakStuckWaits(String why) {
        waits.breakAll(why);
    }
}
