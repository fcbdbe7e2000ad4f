package dev.novahost.journal;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.Faults;
import java.util.Base64;
import java.util.Optional;

/**
 * One durable state change, as the journal holds it: the closed set of what a journal line can say.
 * {@link JournalCodec} turns each into its line's fields and back; nothing else spells an {@code op}.
 *
 * <p>Addresses and chipsets stay as written: replay parses them against the kernel, and a record that no
 * longer applies (an unknown chipset, an address taken) is logged and skipped there, as before.
 */
public sealed interface JournalRecord {

    /** A device was plugged in; {@code revision} is the PCI revision byte. */
    record DeviceAdded(String device, String chipset, int revision) implements JournalRecord { }

    /** A device was hot-unplugged: it is gone. */
    record DeviceRemoved(String device) implements JournalRecord { }

    /** A device fell off the bus; it stays listed until removed. */
    record SurpriseRemoved(String device) implements JournalRecord { }

    /** A driver bound the device under this policy. */
    record Bound(String device, String driver, Policy policy) implements JournalRecord { }

    /**
     * A device was unbound. A compacted journal does not name the driver it was unbound from; a live
     * unbind does.
     */
    record Unbound(String device, Optional<String> driver) implements JournalRecord { }

    /** A probe failed: the device stays unbound on purpose, and replay must not probe it again. */
    record ProbeFailed(String device, String driver) implements JournalRecord { }

    record ModuleLoaded(String module) implements JournalRecord { }

    record ModuleUnloaded(String module) implements JournalRecord { }

    /** A driver's policy for its next probes. */
    record PolicySet(String driver, Policy policy) implements JournalRecord { }

    /** nova-core's injected faults, every one of them, on or off. */
    record FaultsSet(Faults faults) implements JournalRecord { }

    /**
     * A firmware file installed or replaced: its name and its bytes in base64 (a string, so that records
     * compare by value). At most {@code FirmwareStore.MAX_FILE_BYTES}: about 87 KB on its line.
     */
    record FirmwareInstalled(String name, String image) implements JournalRecord {
        static FirmwareInstalled of(String name, byte[] image) {
            return new FirmwareInstalled(name, Base64.getEncoder().encodeToString(image));
        }

        byte[] bytes() {
            return Base64.getDecoder().decode(image);
        }
    }

    record FirmwareDeleted(String name) implements JournalRecord { }

    /** The firmware store back to its preinstalled files (a host reset). */
    record FirmwareDefaults() implements JournalRecord { }
}
