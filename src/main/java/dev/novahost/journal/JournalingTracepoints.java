package dev.novahost.journal;

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
import dev.novahost.kernel.Tracepoints;
import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.pci.PciDevice;
import java.util.ArrayList;
import java.util.List;
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
    private final ThreadLocal<List<JournalRecord>> operation = new ThreadLocal<>();

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
        record(new DeviceAdded(device.address().toString(), device.chipset().name(), device.revision()));
    }

    @Override
    public void deviceRemoved(PciDevice device) {
        record(new DeviceRemoved(device.address().toString()));
    }

    @Override
    public void surpriseRemoved(PciDevice device) {
        record(new SurpriseRemoved(device.address().toString()));
    }

    @Override
    public void bound(PciDevice device, String driver, Policy policy) {
        record(new Bound(device.address().toString(), driver, policy));
    }

    /** A failed probe leaves the device unbound on purpose; without this a replay would probe it again. */
    @Override
    public void probeFinished(PciDevice device, String driver, Optional<Errno> errno) {
        if (errno.isPresent()) {
            record(new ProbeFailed(device.address().toString(), driver));
        }
    }

    @Override
    public void unbindFinished(PciDevice device, String driver, long nanos) {
        record(new Unbound(device.address().toString(), Optional.of(driver)));
    }

    @Override
    public void moduleLoaded(String module) {
        record(new ModuleLoaded(module));
    }

    @Override
    public void moduleUnloaded(String module) {
        record(new ModuleUnloaded(module));
    }

    @Override
    public void policyChanged(String driver, Policy policy) {
        record(new PolicySet(driver, policy));
    }

    @Override
    public void faultsChanged(Faults faults) {
        record(new FaultsSet(faults));
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
            journal.appendOperation(records);
        }
    }

    private void record(JournalRecord record) {
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
}
