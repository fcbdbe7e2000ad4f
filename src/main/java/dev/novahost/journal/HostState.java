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
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.firmware.FirmwareStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The durable part of the host, folded from journal records: devices (with their binding and whether
 * they fell off the bus), whether each module is loaded, each driver's policy, nova-core's faults, and
 * the firmware store's differences from its preinstalled files.
 * Timers, work and open files are not here: like a reboot, a restart loses them.
 *
 * <p>Not thread-safe: the {@link Journal} guards it.
 */
final class HostState {

    record Binding(String driver, Policy policy) { }

    static final class Device {
        final String chipset;
        final int revision;
        boolean surpriseRemoved;
        Binding binding;
        /**
         * The driver core has decided about it since it was plugged: bound, unbound, or its probe
         * failed. A device plugged while no driver was loaded has no decision yet; replay then probes it
         * as the kernel probes a device present at boot.
         */
        boolean settled;

        Device(String chipset, int revision) {
            this.chipset = chipset;
            this.revision = revision;
        }
    }

    final Map<String, Device> devices = new LinkedHashMap<>();
    final Map<String, Boolean> modules = new LinkedHashMap<>();
    final Map<String, Policy> policies = new LinkedHashMap<>();
    Optional<Faults> faults = Optional.empty();
    /**
     * By name, where the firmware store differs from its preinstalled files: the image (base64) of a file
     * installed or replaced, or empty for a preinstalled file deleted. Bounded as the store is: a deleted
     * file that was not preinstalled, or a preinstalled image put back, leaves no entry.
     */
    final Map<String, Optional<String>> firmware = new TreeMap<>();

    /** Applies one record (records this build cannot read never get here: {@link JournalCodec#decode}). */
    void apply(JournalRecord record) {
        switch (record) {
            case DeviceAdded(var address, var chipset, var revision) -> devices.put(address, new Device(chipset, revision));
            case DeviceRemoved(var address) -> devices.remove(address);
            case SurpriseRemoved(var address) -> device(address).ifPresent(d -> d.surpriseRemoved = true);
            case Bound(var address, var driver, var policy) -> device(address).ifPresent(d -> {
                d.binding = new Binding(driver, policy);
                d.settled = true;
            });
            case Unbound(var address, var driver) -> settleUnbound(address);
            case ProbeFailed(var address, var driver) -> settleUnbound(address);
            case ModuleLoaded(var module) -> modules.put(module, true);
            case ModuleUnloaded(var module) -> modules.put(module, false);
            case PolicySet(var driver, var policy) -> policies.put(driver, policy);
            case FaultsSet(var set) -> faults = Optional.of(set);
            case FirmwareInstalled installed -> {
                if (FirmwareStore.isDefault(installed.name(), installed.bytes())) {
                    firmware.remove(installed.name());
                } else {
                    firmware.put(installed.name(), Optional.of(installed.image()));
                }
            }
            case FirmwareDeleted(var name) -> {
                if (FirmwareStore.isDefault(name)) {
                    firmware.put(name, Optional.empty());
                } else {
                    firmware.remove(name);
                }
            }
            case FirmwareDefaults() -> firmware.clear();
        }
    }

    private void settleUnbound(String address) {
        device(address).ifPresent(d -> {
            d.binding = null;
            d.settled = true;
        });
    }

    private Optional<Device> device(String address) {
        return Optional.ofNullable(devices.get(address));
    }

    /**
     * The shortest list of records that folds to this state, in an order replay can apply: what a
     * compacted journal holds.
     */
    List<JournalRecord> snapshot() {
        var records = new ArrayList<JournalRecord>();
        devices.forEach((address, d) -> records.add(new DeviceAdded(address, d.chipset, d.revision)));
        modules.forEach((module, loaded) -> records.add(loaded ? new ModuleLoaded(module) : new ModuleUnloaded(module)));
        devices.forEach((address, d) -> {
            if (d.binding != null) {
                records.add(new Bound(address, d.binding.driver(), d.binding.policy()));
            } else if (d.settled) {
                records.add(new Unbound(address, Optional.empty()));
            }
        });
        devices.forEach((address, d) -> {
            if (d.surpriseRemoved) {
                records.add(new SurpriseRemoved(address));
            }
        });
        policies.forEach((driver, policy) -> records.add(new PolicySet(driver, policy)));
        faults.ifPresent(set -> records.add(new FaultsSet(set)));
        // last, as the faults: the probes above replay the decisions the driver core made (a device bound
        // before its firmware was deleted stays bound, as acknowledged; one whose probe failed for want of
        // it has that failure recorded), and a device with no decision is probed after, with the files now
        firmware.forEach((name, image) -> records.add(image.<JournalRecord>map(bytes -> new FirmwareInstalled(name, bytes))
                .orElseGet(() -> new FirmwareDeleted(name))));
        return records;
    }
}
