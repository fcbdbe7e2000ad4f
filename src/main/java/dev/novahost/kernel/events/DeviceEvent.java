package dev.novahost.kernel.events;

import dev.novahost.kernel.pci.PciDevice;

/** A device arrived on the PCI bus or left it. */
public sealed interface DeviceEvent extends KernelEvent {

    PciDevice pci();

    @Override
    default String device() {
        return pci().address().toString();
    }

    /** {@code device_add}: the device is on the bus and offered to the drivers. */
    record Added(PciDevice pci) implements DeviceEvent {
        public String type() {
            return "pci.added";
        }

        public String message() {
            return device() + ": [10de:" + String.format("%04x", pci.deviceId()) + "] " + pci.chipset()
                    + " hot-plugged";
        }
    }

    /** Orderly hot-unplug: unbound first, then off the bus. */
    record Removed(PciDevice pci) implements DeviceEvent {
        public String type() {
            return "pci.removed";
        }

        public String message() {
            return device() + ": hot-unplugged";
        }
    }

    /** The link went down under a bound driver. */
    record SurpriseRemoved(PciDevice pci) implements DeviceEvent {
        public String type() {
            return "pci.surprise-removal";
        }

        public String message() {
            return device() + ": link down, device gone from the bus";
        }
    }
}
