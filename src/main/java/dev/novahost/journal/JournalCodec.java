package dev.novahost.journal;

import dev.novahost.kernel.WireWord;
import dev.novahost.journal.JournalRecord.Bound;
import dev.novahost.journal.JournalRecord.DeviceAdded;
import dev.novahost.journal.JournalRecord.DeviceRemoved;
import dev.novahost.journal.JournalRecord.FaultsSet;
import dev.novahost.journal.JournalRecord.ModuleLoaded;
import dev.novahost.journal.JournalRecord.ModuleUnloaded;
import dev.novahost.journal.JournalRecord.PolicySet;
import dev.novahost.journal.JournalRecord.ProbeFailed;
import dev.novahost.journal.JournalRecord.SurpriseRemoved;
import dev.novahost.journal.JournalRecord.Unbound;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.Faults;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one place a {@link JournalRecord} becomes the fields of a journal line and back. The fields and
 * their order are the format journals on disk already hold ({@code src/test/resources/journal/every-record.jsonl}
 * pins one line of each): {@code op} first, then the record's fields. The line's framing ({@code seq},
 * {@code more}, {@code crc}) is {@link RecordFraming}'s.
 */
final class JournalCodec {

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
                for (Fault fault : Fault.values()) { // every fault, on or off, in declaration order
                    fields.put(fault.word(), Boolean.toString(faults.has(fault)));
                }
                faults.probeFailure().ifPresent(errno -> fields.put("probeFailure", errno.name()));
            }
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
        } catch (IllegalArgumentException | NullPointerException unreadable) {
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
            // a fault the record does not name (one added since it was written) is off
            case "driver.faults" -> new FaultsSet(Faults.where(fault -> Boolean.parseBoolean(f.get(fault.word())),
                    Optional.ofNullable(f.get("probeFailure")).map(Errno::valueOf)));
            default -> null;
        };
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
