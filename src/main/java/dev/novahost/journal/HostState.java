package dev.novahost.journal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable part of the host, folded from journal records: devices (with their binding and whether
 * they fell off the bus), whether each module is loaded, each driver's policy, nova-core's faults.
 * Timers, work and open files are not here: like a reboot, a restart loses them.
 *
 * <p>Not thread-safe: the {@link Journal} guards it.
 */
final class HostState {

    record Binding(String driver, String policy) { }

    static final class Device {
        final String chipset;
        final String revision;
        boolean surpriseRemoved;
        Binding binding;
        /**
         * The driver core has decided about it since it was plugged: bound, unbound, or its probe
         * failed. A device plugged while no driver was loaded has no decision yet; replay then probes it
         * as the kernel probes a device present at boot.
         */
        boolean settled;

        Device(String chipset, String revision) {
            this.chipset = chipset;
            this.revision = revision;
        }
    }

    final Map<String, Device> devices = new LinkedHashMap<>();
    final Map<String, Boolean> modules = new LinkedHashMap<>();
    final Map<String, String> policies = new LinkedHashMap<>();
    Map<String, String> faults = Map.of();

    /** Applies one record; unknown ops are ignored so that an older build can read a newer journal. */
    void apply(Map<String, String> record) {
        String address = record.get("device");
        switch (record.getOrDefault("op", "")) {
            case "device.added" -> devices.put(address, new Device(record.get("chipset"), record.get("revision")));
            case "device.removed" -> devices.remove(address);
            case "device.surprise-removed" -> device(address).ifPresent(d -> d.surpriseRemoved = true);
            case "driver.bound" -> device(address).ifPresent(d -> {
                d.binding = new Binding(record.get("driver"), record.get("policy"));
                d.settled = true;
            });
            case "driver.unbound", "driver.probe-failed" -> device(address).ifPresent(d -> {
                d.binding = null;
                d.settled = true;
            });
            case "module.loaded" -> modules.put(record.get("module"), true);
            case "module.unloaded" -> modules.put(record.get("module"), false);
            case "driver.policy" -> policies.put(record.get("driver"), record.get("policy"));
            case "driver.faults" -> faults = withoutOp(record);
            default -> { }
        }
    }

    private Optional<Device> device(String address) {
        return Optional.ofNullable(devices.get(address));
    }

    private static Map<String, String> withoutOp(Map<String, String> record) {
        var copy = new LinkedHashMap<>(record);
        copy.remove("op");
        return copy;
    }

    /**
     * The shortest list of records that folds to this state, in an order replay can apply: what a
     * compacted journal holds.
     */
    List<Map<String, String>> snapshot() {
        var records = new ArrayList<Map<String, String>>();
        devices.forEach((address, d) -> records.add(Map.of("op", "device.added", "device", address,
                "chipset", d.chipset, "revision", d.revision)));
        modules.forEach((module, loaded) -> records.add(Map.of("op", loaded ? "module.loaded" : "module.unloaded",
                "module", module)));
        devices.forEach((address, d) -> {
            if (d.binding != null) {
                records.add(Map.of("op", "driver.bound", "device", address, "driver", d.binding.driver(),
                        "policy", d.binding.policy()));
            } else if (d.settled) {
                records.add(Map.of("op", "driver.unbound", "device", address));
            }
        });
        devices.forEach((address, d) -> {
            if (d.surpriseRemoved) {
                records.add(Map.of("op", "device.surprise-removed", "device", address));
            }
        });
        policies.forEach((driver, policy) -> records.add(Map.of("op", "driver.policy", "driver", driver,
                "policy", policy)));
        if (!faults.isEmpty()) {
            var record = new LinkedHashMap<String, String>();
            record.put("op", "driver.faults");
            record.putAll(faults);
            records.add(record);
        }
        return records;
    }
}
