package dev.novahost.kernel.pci;

import dev.novahost.kernel.irq.IrqAccounting;
import dev.novahost.kernel.timer.TimerEngine;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The PCI bus: which devices exist, at which addresses. Enumeration order is address order.
 *
 * <p>Thread-safety: lookups are lock-free on a concurrent map; adding and removing are serialised on
 * {@code this} so that address assignment and the device limit are checked atomically with the insert.
 */
public final class PciBus {

    public static final int DEFAULT_REVISION = 0xa1;

    private final ConcurrentSkipListMap<PciAddress, PciDevice> devices = new ConcurrentSkipListMap<>();
    private final TimerEngine engine;
    private final IrqAccounting irqAccounting = new IrqAccounting();
    private final int maxDevices;

    public PciBus(TimerEngine engine, int maxDevices) {
        this.engine = engine;
        this.maxDevices = maxDevices;
    }

    public IrqAccounting irqAccounting() {
        return irqAccounting;
    }

    /**
     * Hot-plugs a device at the given address, or at the next free {@code 0000:BB:00.0} (buses 01..ff).
     * {@code EEXIST} for a taken address, {@code ENOSPC} when the bus or the device limit is full.
     */
    public synchronized PciDevice add(Chipset chipset, Optional<PciAddress> address, int revision) {
        if (revision < 0 || revision > 0xff) {
            throw KernelException.of(Errno.EINVAL, String.format("revision 0x%x does not fit in one byte", revision));
        }
        if (devices.size() >= maxDevices) {
            throw KernelException.of(Errno.ENOSPC, "The host already has " + devices.size()
                    + " devices, its configured limit");
        }
        PciAddress at = address.orElseGet(this::nextFreeAddress);
        if (devices.containsKey(at)) {
            throw KernelException.of(Errno.EEXIST, "A device already sits at " + at);
        }
        var device = new PciDevice(at, chipset, revision, engine, irqAccounting);
        devices.put(at, device);
        return device;
    }

    private PciAddress nextFreeAddress() {
        for (int bus = 1; bus <= 0xff; bus++) {
            var candidate = new PciAddress(0, bus, 0, 0);
            if (!devices.containsKey(candidate)) {
                return candidate;
            }
        }
        throw KernelException.of(Errno.ENOSPC, "Every bus 0000:01..0000:ff already has a device at slot 00.0");
    }

    /** {@code ENODEV} (not found) for an address with no device. */
    public PciDevice get(PciAddress address) {
        return find(address).orElseThrow(() -> KernelException.notFound(Errno.ENODEV, "No device at " + address));
    }

    public Optional<PciDevice> find(PciAddress address) {
        return Optional.ofNullable(devices.get(address));
    }

    public List<PciDevice> devices() {
        return List.copyOf(devices.values());
    }

    public int size() {
        return devices.size();
    }

    public void surpriseRemove(PciDevice device) {
        device.surpriseRemove();
    }

    /** Takes the device off the bus; the caller has already released its driver. */
    public synchronized void remove(PciDevice device) {
        devices.remove(device.address(), device);
        device.detach();
    }
}
