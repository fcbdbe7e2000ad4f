package dev.novahost.kernel;

import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.module.Module;
import dev.novahost.kernel.module.ModuleState;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.novacore.BarAccounting;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.NovaCoreModule;
import dev.novahost.kernel.novacore.NovaDevice;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciBus;
import dev.novahost.kernel.pci.PciDevice;
import java.util.List;
import java.util.Optional;

/**
 * One simulated machine: a clock, a PCI bus, the driver core and the nova-core module, wired together.
 * Its methods are the machine's user interface (hot-plug, sysfs bind/unbind, insmod/rmmod, MMIO
 * through the bound driver), each a short sequence of calls on the mechanisms that own the rules.
 *
 * <p>Thread-safety: every method may be called from any thread; the mechanisms it calls state their
 * own locking. A kernel never calls out to Spring or HTTP.
 */
public final class Kernel {

    private final Clock clock;
    private final PciBus bus;
    private final DriverCore driverCore;
    private final NovaCoreDriver novaCore;
    private final Module novaCoreModule;
    private final BarAccounting barAccounting = new BarAccounting();
    private final Tracepoints trace;

    public Kernel(KernelConfig config, Clock clock, Tracepoints trace) {
        this.clock = clock;
        this.trace = trace;
        this.bus = new PciBus(clock, config.maxDevices());
        this.driverCore = new DriverCore(bus, trace);
        this.novaCore = new NovaCoreDriver(barAccounting);
        this.driverCore.declare(NovaCoreDriver.NAME);
        this.novaCoreModule = new Module(NovaCoreDriver.NAME, new NovaCoreModule(driverCore, novaCore));
        if (config.loadNovaCore()) {
            novaCoreModule.load();
        }
    }

    public Clock clock() {
        return clock;
    }

    public PciBus bus() {
        return bus;
    }

    public DriverCore driverCore() {
        return driverCore;
    }

    public BarAccounting barAccounting() {
        return barAccounting;
    }

    public List<Module> modules() {
        return List.of(novaCoreModule);
    }

    /** {@code ENOENT} (not found) for a module the kernel does not have. */
    public Module module(String name) {
        return modules().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow(
                () -> KernelException.notFound(Errno.ENOENT, "No module named '" + name + "'"));
    }

    public void load(String module) {
        module(module).load();
    }

    public void unload(String module, UnloadMode mode) {
        module(module).unload(mode);
    }

    /**
     * Back to a clean host: nova-core unloaded (open files disassociated), every device unplugged,
     * policies back to their defaults. For test suites and demos that share one service.
     */
    public void reset() {
        for (Module module : modules()) {
            if (module.state() == ModuleState.LIVE) {
                module.unload(UnloadMode.DISASSOCIATE);
            }
        }
        for (PciDevice device : bus.devices()) {
            try {
                hotUnplug(device.address());
            } catch (KernelException alreadyGone) {
                // unplugged concurrently: that is the state we want
            }
        }
        for (String driver : driverCore.driverNames()) {
            driverCore.setPolicy(driver, Policy.REVOCABLE);
        }
    }

    /** A device appears on the bus and, like {@code device_add}, is offered to the registered drivers. */
    public PciDevice hotplug(Chipset chipset, Optional<PciAddress> address, int revision) {
        var device = bus.add(chipset, address, revision);
        trace.deviceAdded(device);
        driverCore.autoprobe(device);
        return device;
    }

    /** Orderly hot-unplug: the driver lets go first, then the device leaves the bus. */
    public void hotUnplug(PciAddress address) {
        var device = bus.get(address);
        device.lock().lock();
        try {
            if (bus.find(address).orElse(null) != device) {
                throw KernelException.notFound(Errno.ENODEV, "No device at " + address);
            }
            driverCore.releaseDriver(device);
            bus.remove(device);
        } finally {
            device.lock().unlock();
        }
        trace.deviceRemoved(device);
    }

    /** The device drops off the bus; its driver stays bound and now reads all ones. */
    public PciDevice surpriseRemove(PciAddress address) {
        var device = bus.get(address);
        bus.surpriseRemove(device);
        return device;
    }

    /** nova-core's data for the device; {@code ENODEV} (gone, not unknown) when nova-core is not bound to it. */
    public NovaDevice novaCore(PciAddress address) {
        var device = bus.get(address);
        return driverCore.driverData(device, novaCore).orElseThrow(() -> KernelException.of(Errno.ENODEV,
                "No driver is bound to " + address + ", so there is no BAR0 mapping to access; bind nova-core first"));
    }

    public int mmioRead(PciAddress address, int offset) {
        Bar0.checkOffset(offset);
        return novaCore(address).bar().read32(offset);
    }

    public void mmioWrite(PciAddress address, int offset, int value) {
        Bar0.checkOffset(offset);
        novaCore(address).bar().write32(offset, value);
    }

    /** Reads {@code count} consecutive registers through one handle; fails whole if any read fails. */
    public int[] mmioReadRange(PciAddress address, int offset, int count) {
        Bar0.checkOffset(offset);
        Bar0.checkOffset(offset + 4L * (count - 1));
        var bar = novaCore(address).bar();
        var values = new int[count];
        for (int i = 0; i < count; i++) {
            values[i] = bar.read32(offset + 4 * i);
        }
        return values;
    }

    public long readPtimer(PciAddress address) {
        return novaCore(address).ptimer().readTime();
    }
}
