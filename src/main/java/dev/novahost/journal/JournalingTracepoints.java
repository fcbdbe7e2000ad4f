package dev.novahost.journal;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Tracepoints;
import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.novacore.Fault;
import dev.novahost.kernel.novacore.Faults;
import dev.novahost.kernel.pci.PciDevice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes every durable state change the kernel reports to the journal, synchronously: the call that
 * made the change returns (and the API acknowledges it) only after the record is on disk. Silent while
 * the journal itself is being replayed.
 *
 * <p>Between {@link #begin()} and {@link #commit()} a thread's records are held back and then appended
 * as one operation: an API request that changes several things (a hot-unplug unbinds, then removes)
 * is on disk whole before it is answered, or, if the process dies first, not at all.
 */
public final class JournalingTracepoints implements Tracepoints {

    private final Journal journal;
    private volatile boolean replaying;
    private final ThreadLocal<List<Map<String, String>>> operation = new ThreadLocal<>();

    public JournalingTracepoints(Journal journal) {
        this.journal = journal;
    }

    void replaying(boolean on) {
        replaying = on;
    }

    /**
     * From now on nothing is recorded: at shutdown the kernel unbinds its devices to stop their timers
     * and work cleanly, and those unbinds must not outlive the restart.
     */
    public void stopRecording() {
        replaying = true;
    }

    @Override
    public void deviceAdded(PciDevice device) {
        record("device.added", "device", device.address().toString(), "chipset", device.chipset().name(),
                "revision", String.format("0x%02x", device.revision()));
    }

    @Override
    public void deviceRemoved(PciDevice device) {
        record("device.removed", "device", device.address().toString());
    }

    @Override
    public void surpriseRemoved(PciDevice device) {
        record("device.surprise-removed", "device", device.address().toString());
    }

    @Override
    public void bound(PciDevice device, String driver, Policy policy) {
        record("driver.bound", "device", device.address().toString(), "driver", driver, "policy", lower(policy));
    }

    /** A failed probe leaves the device unbound on purpose; without this a replay would probe it again. */
    @Override
    public void probeFinished(PciDevice device, String driver, Optional<Errno> errno) {
        if (errno.isPresent()) {
            record("driver.probe-failed", "device", device.address().toString(), "driver", driver);
        }
    }

    @Override
    public void unbindFinished(PciDevice device, String driver, long nanos) {
        record("driver.unbound", "device", device.address().toString(), "driver", driver);
    }

    @Override
    public void moduleLoaded(String module) {
        record("module.loaded", "module", module);
    }

    @Override
    public void moduleUnloaded(String module) {
        record("module.unloaded", "module", module);
    }

    @Override
    public void policyChanged(String driver, Policy policy) {
        record("driver.policy", "driver", driver, "policy", lower(policy));
    }

    @Override
    public void faultsChanged(Faults faults) {
        var record = new LinkedHashMap<String, String>();
        record.put("op", "driver.faults");
        for (Fault fault : Fault.values()) { // every fault, on or off, in declaration order (today's format)
            record.put(fault.word(), Boolean.toString(faults.has(fault)));
        }
        faults.probeFailure().ifPresent(errno -> record.put("probeFailure", errno.name()));
        append(record);
    }

    private void record(String op, String... keyValues) {
        var record = new LinkedHashMap<String, String>();
        record.put("op", op);
        for (int i = 0; i < keyValues.length; i += 2) {
            record.put(keyValues[i], keyValues[i + 1]);
        }
        append(record);
    }

    /**
     * Reserves room for an operation in the journal, then holds this thread's records until {@link
     * #commit()}: call it before changing anything.
     *
     * @throws Journal.JournalException no room (or the journal failed); nothing was changed
     */
    public void begin() {
        journal.reserve();
        operation.set(new ArrayList<>());
    }

    /**
     * Appends what this thread recorded since {@link #begin()}, as one operation.
     *
     * @throws Journal.JournalException the operation is not durable, and the journal takes no more changes
     */
    public void commit() {
        var records = operation.get();
        operation.remove();
        if (records != null && !records.isEmpty()) {
            journal.append(records);
        }
    }

    private void append(Map<String, String> record) {
        if (replaying) {
            return;
        }
        var held = operation.get();
        if (held != null) {
            held.add(record);
        } else {
            journal.append(record);
        }
    }

    private static String lower(Policy policy) {
        return policy.name().toLowerCase(Locale.ROOT);
    }
}
