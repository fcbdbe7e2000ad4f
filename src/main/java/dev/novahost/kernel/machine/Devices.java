package dev.novahost.kernel.machine;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.driver.Binding;
import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.events.DeviceEvent;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciBus;
import dev.novahost.kernel.pci.PciDevice;
import java.util.List;
import java.util.Optional;

/**
 * Devices coming and going ({@code device_add}, {@code device_del}, a surprise removal) and the devices
 * on the bus with their bindings: the kernel service behind the API's device routes. It sits in the
 * kernel's root because a device's arrival and departure take both the bus and the driver core, and
 * {@code pci} must not depend on {@code driver} (the driver core already depends on the bus).
 *
 * <p>Thread-safety: stateless; any thread may call it. The bus and the driver core state their own
 * locking; an orderly unplug holds the device lock across the driver's release and the bus removal.
 */
public final class Devices {

    private final PciBus bus;
    private final DriverCore driverCore;
    private final EventLog log;

    Devices(PciBus bus, DriverCore driverCore, EventLog log) {
        this.bus = bus;
        this.driverCore = driverCore;
        this.log = log;
    }

    /** A device appears on the bus and, like {@code device_add}, is offered to the registered drivers. */
    public PciDevice hotplug(Chipset chipset, Optional<PciAddress> address, int revision) {
        var device = bus.add(chipset, address, revision);
        log.emit(new DeviceEvent.Added(device));
        driverCore.autoprobe(device);
        return device;
    }

    /** Orderly hot-unplug: the driver lets go first, then the device leaves the bus. */
    public void hotUnplug(PciAddress address) {
        var device = bus.get(address);
        try (var locked = driverCore.lockDevice(device, "pci_stop_and_remove_bus_device")) {
            if (bus.find(address).orElse(null) != device) {
                throw KernelException.notFound(Errno.ENODEV, "No device at " + address);
            }
            driverCore.releaseDriver(device);
            bus.remove(device);
        }
        log.emit(new DeviceEvent.Removed(device));
    }

    /** The device drops off the bus; its driver stays bound and now reads all ones. */
    public PciDevice surpriseRemove(PciAddress address) {
        var device = bus.get(address);
        bus.surpriseRemove(device);
        log.emit(new DeviceEvent.SurpriseRemoved(device));
        return device;
    }

    /** The devices on the bus, in address order. */
    public List<PciDevice> all() {
        return bus.devices();
    }

    /** {@code ENODEV} for an address no device has. */
    public PciDevice get(PciAddress address) {
        return bus.get(address);
    }

    /** The device's binding, if a driver is bound to it. */
    public Optional<Binding<?>> binding(PciDevice device) {
        return driverCore.binding(device);
    }
}
