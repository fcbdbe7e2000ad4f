package dev.novahost.kernel.events;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciDevice;

/**
 * A binding's steps: the driver core's (probe failed, bound, unbound, policy) and the driver's own
 * (probing, bound with its chip, remove() started and returned, its data freed), and the faults the
 * driver is told to have.
 */
public sealed interface DriverEvent extends KernelEvent {

    /** The driver core unwound a failed probe; the device stays unbound. */
    record ProbeFailed(PciDevice pci, String driver, Errno errno) implements DriverEvent {
        public String type() {
            return "driver.probe-failed";
        }

        public String device() {
            return pci.address().toString();
        }

        public String message() {
            return driver + " " + device() + ": probe failed with " + errno + ", devres unwound";
        }
    }

    /**
     * {@code driver_bound}: probe returned and the binding is in place, under this policy. The driver
     * logs the same step in its own words ({@link Probed}), so this one is for observers only.
     */
    record Bound(PciDevice pci, String driver, Policy policy) implements DriverEvent {
        public String type() {
            return "driver.bound";
        }

        public String device() {
            return pci.address().toString();
        }

        public String message() {
            return driver + " " + device() + ": bound, " + WireWord.of(policy) + " policy";
        }

        @Override
        public boolean logged() {
            return false;
        }
    }

    /** {@code device_release_driver} finished: remove() ran and the devres list was released. */
    record Unbound(PciDevice pci, String driver, long nanos) implements DriverEvent {
        public String type() {
            return "driver.unbound";
        }

        public String device() {
            return pci.address().toString();
        }

        /** Without the duration: on virtual time the log must be the same on every run. */
        public String message() {
            return driver + " " + device() + ": unbound";
        }
    }

    record PolicyChanged(String driver, Policy policy) implements DriverEvent {
        public String type() {
            return "driver.policy";
        }

        public String device() {
            return "";
        }

        public String message() {
            return driver + ": policy " + WireWord.of(policy) + " from the next probe";
        }
    }

    record FaultsChanged(String driver, Faults faults) implements DriverEvent {
        public String type() {
            return "driver.faults";
        }

        public String device() {
            return "";
        }

        public String message() {
            return driver + ": injected faults now " + faults.describe();
        }
    }

    /** The driver's probe began. */
    record Probing(String device, String driver, Policy policy) implements DriverEvent {
        public String type() {
            return "driver.probe";
        }

        public String message() {
            return driver + " " + device + ": probing, " + WireWord.of(policy) + " policy";
        }
    }

    /** The driver's probe identified the chip and is done. */
    record Probed(String device, String driver, Chipset chipset, int revision) implements DriverEvent {
        public String type() {
            return "driver.bound";
        }

        public String message() {
            return driver + " " + device + ": " + chipset + " rev " + Integer.toHexString(revision) + " bound";
        }
    }

    record RemoveStarted(String device, String driver) implements DriverEvent {
        public String type() {
            return "driver.remove";
        }

        public String message() {
            return driver + " " + device + ": remove() started";
        }
    }

    /** A written remove() order runs one of its steps ({@code hrtimer_cancel:3}): the timeline of the user's teardown. */
    record RemoveStepRan(String device, String driver, String step) implements DriverEvent {
        public String type() {
            return "driver.remove-step";
        }

        public String message() {
            return driver + " " + device + ": remove() step " + step;
        }
    }

    /** A written remove() returned with {@code &nd->lock} still held (a {@code mutex_lock} without its unlock): released then. */
    record RemoveLockReleased(String device, String driver) implements DriverEvent {
        public String type() {
            return "driver.remove-unlocked";
        }

        public String message() {
            return driver + " " + device + ": remove() returned holding &nd->lock; released it";
        }
    }

    record RemoveReturned(String device, String driver) implements DriverEvent {
        public String type() {
            return "driver.removed";
        }

        public String message() {
            return driver + " " + device + ": remove() returned";
        }
    }

    /** The devres entry that frees the driver data ran. */
    record DataFreed(String device, String driver) implements DriverEvent {
        public String type() {
            return "driver.freed";
        }

        public String message() {
            return driver + " " + device + ": driver data freed";
        }
    }

    /** {@code request_firmware} found no file (or was made to fail): the firmware loader's line. */
    record FirmwareFailed(String device, String driver, String name, Errno errno) implements DriverEvent {
        public String type() {
            return "driver.firmware-failed";
        }

        @Override
        public String object() {
            return name;
        }

        public String message() {
            return driver + " " + device + ": Direct firmware load for " + name + " failed with error -" + errno.number();
        }
    }
}
