package dev.novahost.journal;

import dev.novahost.kernel.WireWord;
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
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.fault.FaultAttr;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.fault.FaultsWire;
import dev.novahost.kernel.fault.InjectionPoint;
import dev.novahost.kernel.fault.RemoveOrder;
import dev.novahost.kernel.fault.RemovePreset;
import dev.novahost.kernel.fault.RemoveStep;
import dev.novahost.kernel.firmware.FirmwareStore;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The one place a {@link JournalRecord} becomes the fields of a journal line and back. The fields and
 * their order are the format journals on disk already hold ({@code src/test/resources/journal/every-record.jsonl}
 * pins one line of each): {@code op} first, then the record's fields. The line's framing ({@code seq},
 * {@code more}, {@code crc}) is {@link RecordFraming}'s.
 */
final class JournalCodec {

    /** The prefix of an injection point's field: {@code inject.pci_iomap}. */
    private static final String INJECT = "inject.";

    private JournalCodec() {
    }

    /** The record's fields, in the order they are written. */
    static Map<String, String> encode(JournalRecord record) {
        var fields = new LinkedHashMap<String, String>();
        switch (record) {
            case DeviceAdded(var device, var chipset, var revision) -> {
                fields.put("op", "device.added");
                fields.put("device", device);
                fields.put("chipset", chipset);
                fields.put("revision", String.format("0x%02x", revision));
            }
            case DeviceRemoved(var device) -> {
                fields.put("op", "device.removed");
                fields.put("device", device);
            }
            case SurpriseRemoved(var device) -> {
                fields.put("op", "device.surprise-removed");
                fields.put("device", device);
            }
            case Bound(var device, var driver, var policy) -> {
                fields.put("op", "driver.bound");
                fields.put("device", device);
                fields.put("driver", driver);
                fields.put("policy", WireWord.of(policy));
            }
            case ProbeFailed(var device, var driver) -> {
                fields.put("op", "driver.probe-failed");
                fields.put("device", device);
                fields.put("driver", driver);
            }
            case Unbound(var device, var driver) -> {
                fields.put("op", "driver.unbound");
                fields.put("device", device);
                driver.ifPresent(name -> fields.put("driver", name));
            }
            case ModuleLoaded(var module) -> {
                fields.put("op", "module.loaded");
                fields.put("module", module);
            }
            case ModuleUnloaded(var module) -> {
                fields.put("op", "module.unloaded");
                fields.put("module", module);
            }
            case PolicySet(var driver, var policy) -> {
                fields.put("op", "driver.policy");
                fields.put("driver", driver);
                fields.put("policy", WireWord.of(policy));
            }
            case FaultsSet(var faults) -> {
                fields.put("op", "driver.faults");
                for (Fault fault : Fault.values()) { // every fault, in declaration order: false, true or attributes
                    var attr = faults.attrs().get(fault);
                    fields.put(fault.word(), attr == null ? "false"
                            : attr.equals(FaultAttr.ALWAYS) ? "true" : FaultsWire.attrText(attr));
                }
                faults.probeFailure().ifPresent(errno -> fields.put("probeFailure", errno.name()));
                faults.seed().ifPresent(seed -> fields.put("seed", Long.toString(seed)));
                faults.inject().forEach((point, injection) ->
                        fields.put(INJECT + point.word(), FaultsWire.injectionText(injection)));
                if (!faults.remove().builtIn()) { // a preset's name, or the step words joined by commas
                    fields.put("remove", faults.remove().describe());
                }
            }
            case FirmwareInstalled(var name, var image) -> {
                fields.put("op", "firmware.installed");
                fields.put("name", name);
                fields.put("image", image);
            }
            case FirmwareDeleted(var name) -> {
                fields.put("op", "firmware.deleted");
                fields.put("name", name);
            }
            case FirmwareDefaults() -> fields.put("op", "firmware.defaults");
        }
        return fields;
    }

    /**
     * The record these fields say, or empty for one this build cannot read: an unknown {@code op} (a
     * newer build wrote it) or a field missing or out of its range. Such a record is skipped, as an
     * older build skips what it does not know.
     */
    static Optional<JournalRecord> decode(Map<String, String> fields) {
        try {
            return Optional.ofNullable(read(fields));
        } catch (IllegalArgumentException | NullPointerException | KernelException unreadable) {
            return Optional.empty();
        }
    }

    private static JournalRecord read(Map<String, String> f) {
        return switch (f.getOrDefault("op", "")) {
            case "device.added" -> new DeviceAdded(need(f, "device"), need(f, "chipset"),
                    Integer.decode(need(f, "revision")));
            case "device.removed" -> new DeviceRemoved(need(f, "device"));
            case "device.surprise-removed" -> new SurpriseRemoved(need(f, "device"));
            case "driver.bound" -> new Bound(need(f, "device"), need(f, "driver"), policy(need(f, "policy")));
            case "driver.probe-failed" -> new ProbeFailed(need(f, "device"), need(f, "driver"));
            case "driver.unbound" -> new Unbound(need(f, "device"), Optional.ofNullable(f.get("driver")));
            case "module.loaded" -> new ModuleLoaded(need(f, "module"));
            case "module.unloaded" -> new ModuleUnloaded(need(f, "module"));
            case "driver.policy" -> new PolicySet(need(f, "driver"), policy(need(f, "policy")));
            case "driver.faults" -> new FaultsSet(faults(f));
            case "firmware.installed" -> firmware(need(f, "name"), need(f, "image"));
            case "firmware.deleted" -> new FirmwareDeleted(need(f, "name"));
            case "firmware.defaults" -> new FirmwareDefaults();
            default -> null;
        };
    }

    /**
     * A fault the record does not name (one added since it was written) is off; a record written before
     * attributes (booleans only, no seed) replays as it did, the injector picking a seed. An injection
     * point this build does not know (a newer build's) is left out.
     */
    private static Faults faults(Map<String, String> f) {
        var attrs = new EnumMap<Fault, FaultAttr>(Fault.class);
        for (Fault fault : Fault.values()) {
            String said = f.getOrDefault(fault.word(), "false");
            if (said.equals("true")) {
                attrs.put(fault, FaultAttr.ALWAYS);
            } else if (!said.equals("false")) {
                attrs.put(fault, FaultsWire.attrOfText(said));
            }
        }
        var inject = new EnumMap<InjectionPoint, Faults.Injection>(InjectionPoint.class);
        f.forEach((key, value) -> {
            if (key.startsWith(INJECT)) {
                InjectionPoint.ofWord(key.substring(INJECT.length()))
                        .ifPresent(point -> inject.put(point, FaultsWire.injectionOfText(point, value)));
            }
        });
        var seed = f.get("seed");
        return new Faults(attrs, inject, Optional.ofNullable(f.get("probeFailure")).map(Errno::valueOf),
                seed == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(seed)), removeOrder(f.get("remove")));
    }

    /** A record without {@code remove} (written before remove orders, or with the built-in one) keeps the built-in order. */
    private static RemoveOrder removeOrder(String said) {
        if (said == null || said.isEmpty()) {
            return RemoveOrder.BUILT_IN;
        }
        return RemovePreset.ofWord(said).map(RemoveOrder::of)
                .orElseGet(() -> RemoveOrder.of(Arrays.stream(said.split(",")).map(RemoveStep::parse).toList()));
    }

    /** Only base64 of at most a file's bytes: a record the store would refuse is unreadable. */
    private static FirmwareInstalled firmware(String name, String image) {
        var record = new FirmwareInstalled(name, image);
        if (record.bytes().length > FirmwareStore.MAX_FILE_BYTES) {
            throw new IllegalArgumentException("firmware image larger than " + FirmwareStore.MAX_FILE_BYTES);
        }
        return record;
    }

    private static String need(Map<String, String> fields, String key) {
        String value = fields.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return value;
    }


    private static Policy policy(String word) {
        return Policy.valueOf(word.toUpperCase(Locale.ROOT));
    }
}
