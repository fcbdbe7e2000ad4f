package dev.novahost.journal;

import dev.novahost.journal.JournalRecord.Bound;
import dev.novahost.journal.JournalRecord.DeviceAdded;
import dev.novahost.journal.JournalRecord.DeviceRemoved;
import dev.novahost.journal.JournalRecord.FaultsSet;
import dev.novahost.journal.JournalRecord.FirmwareDefaults;
import dev.novahost.journal.JournalRecord.FirmwareDeleted;
import dev.novahost.journal.JournalRecord.FirmwareInstalled;
import dev.novahost.journal.JournalRecord.ModuleLoaded;
import dev.novahost.journal.JournalRecord.ModuleUnloaded;
import dev.novahost.journal.JournalRecord.PolicySet;
import dev.novahost.journal.JournalRecord.ProbeFailed;
import dev.novahost.journal.JournalRecord.SurpriseRemoved;
import dev.novahost.journal.JournalRecord.Unbound;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.events.JournalEvent;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciDevice;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Brings a freshly booted kernel to the state the journal holds: devices plugged in, modules loaded,
 * each binding probed under the policy it had, surprise removals, policies, faults and firmware files. Runs before the
 * service takes requests; what it does is not journaled again. Timers, work and open files do not
 * survive, as on a reboot, and the kernel log says so.
 */
public final class Replay {

    private Replay() {
    }

    public static void run(Kernel kernel, Journal journal, Journaling journaling) {
        journaling.replaying(true);
        Set<PciDevice> undecided;
        try {
            undecided = apply(kernel, journal.records());
        } finally {
            journaling.replaying(false);
        }
        // Probed as the kernel probes a device present at boot, and journaled, unlike the rest of the
        // replay: the driver core has now decided about them, and the next start must find that decision.
        // With no room in the journal for that decision they stay unprobed, for the next start.
        if (!undecided.isEmpty() && roomFor(kernel, journal, undecided.size())) {
            undecided.forEach(device -> attempt(kernel, () -> kernel.driverCore().autoprobe(device)));
        }
        journal.tornTail().ifPresent(torn -> kernel.log().emit(new JournalEvent.TornTail(torn.length())));
        kernel.log().emit(new JournalEvent.Replayed(journal.records().size(), kernel.bus().size(),
                kernel.driverCore().bindings().size()));
    }

    private static boolean roomFor(Kernel kernel, Journal journal, int devices) {
        try {
            journal.reserve();
            return true;
        } catch (Journal.JournalException noRoom) {
            kernel.log().emit(new JournalEvent.Skipped(devices + " devices left unprobed until the next start: "
                    + noRoom.getMessage()));
            return false;
        }
    }

    /** Applies the records; returns the devices the journal holds no driver-core decision about. */
    private static Set<PciDevice> apply(Kernel kernel, List<JournalRecord> records) {
        var bindings = new LinkedHashMap<String, Bound>();
        var unbound = new HashSet<String>();
        var undecided = new LinkedHashSet<PciDevice>();
        for (var record : records) {
            switch (record) {
                case DeviceAdded(var device, var chipset, var revision) -> attempt(kernel, () -> kernel.hotplug(
                        Chipset.named(chipset), Optional.of(PciAddress.parse(device)), revision));
                case ModuleLoaded(var module) -> attempt(kernel, () -> kernel.load(module));
                case Bound bound -> bindings.put(bound.device(), bound);
                case Unbound(var device, var driver) -> unbound.add(device);
                case SurpriseRemoved(var device) -> {
                    // the decisions are in place before the device drops off the bus (a gone device cannot
                    // be probed), and they stay: the ones of the other devices too, as acknowledged
                    reconcile(kernel, bindings, unbound, undecided);
                    attempt(kernel, () -> kernel.surpriseRemove(PciAddress.parse(device)));
                }
                case PolicySet(var driver, var policy) -> attempt(kernel, () -> kernel.driverCore().setPolicy(driver, policy));
                case FaultsSet(var faults) -> attempt(kernel, () -> kernel.setFaults(faults));
                case FirmwareInstalled installed -> attempt(kernel, () -> kernel.firmware().put(installed.name(),
                        installed.bytes()));
                case FirmwareDeleted(var name) -> attempt(kernel, () -> kernel.firmware().delete(name));
                case FirmwareDefaults() -> kernel.firmware().restoreDefaults();
                // an unloaded module stays unloaded; the others never appear in a compacted journal
                case ModuleUnloaded _, DeviceRemoved _, ProbeFailed _ -> { }
            }
        }
        reconcile(kernel, bindings, unbound, undecided);
        return undecided;
    }

    /**
     * After the module's autoprobe, makes each device's binding what the journal says: unbound where
     * it was unbound, re-probed under the recorded policy where the policy differs. A device the driver
     * core has not decided about (plugged while no driver was loaded, or in a journal older than
     * recorded probe failures) is left unbound and added to {@code undecided}, to be probed once the
     * journal's policies and faults are in place.
     */
    private static void reconcile(Kernel kernel, Map<String, Bound> bindings, Set<String> unbound,
                                  Set<PciDevice> undecided) {
        for (var device : kernel.bus().devices()) {
            String address = device.address().toString();
            var wanted = Optional.ofNullable(bindings.get(address));
            var actual = kernel.driverCore().binding(device);
            if (wanted.isEmpty()) {
                actual.ifPresent(b -> attempt(kernel, () -> kernel.driverCore().unbind(b.driver().name(), device.address())));
                if (!unbound.contains(address)) {
                    undecided.add(device);
                }
                continue;
            }
            String driver = wanted.get().driver();
            Policy policy = wanted.get().policy();
            if (actual.isPresent() && actual.get().policy() == policy) {
                continue;
            }
            actual.ifPresent(b -> attempt(kernel, () -> kernel.driverCore().unbind(b.driver().name(), device.address())));
            Policy current = kernel.driverCore().policy(driver);
            attempt(kernel, () -> {
                kernel.driverCore().setPolicy(driver, policy);
                kernel.driverCore().bind(driver, device.address());
            });
            kernel.driverCore().setPolicy(driver, current);
        }
    }

    /** A record that no longer applies (the world changed under it) is logged and skipped, not fatal. */
    private static void attempt(Kernel kernel, Runnable step) {
        try {
            step.run();
        } catch (KernelException | IllegalArgumentException skipped) {
            kernel.log().emit(new JournalEvent.Skipped("a record could not be replayed: " + skipped.getMessage()));
        }
    }
}
