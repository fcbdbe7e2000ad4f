package dev.novahost.journal;

import dev.novahost.kernel.events.DeviceEvent;
import dev.novahost.kernel.events.DriverEvent;
import dev.novahost.kernel.events.KernelEvent;
import dev.novahost.kernel.events.ModuleEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Writes every durable state change the kernel reports to the journal, synchronously: the call that
 * made the change returns (and the API acknowledges it) only after the record is on disk. Silent while
 * the journal itself is being replayed.
 *
 * <p>Between {@link #begin()} and {@link #commit()} a thread's records are held back and then appended
 * as one operation: an API request that changes several things (a hot-unplug unbinds, then removes)
 * is on disk whole before it is answered, or, if the process dies first, not at all.
 */
public final class Journaling implements Consumer<KernelEvent> {

    private final Journal journal;
    private volatile boolean replaying;
    private final ThreadLocal<List<JournalRecord>> operation = new ThreadLocal<>();

    public Journaling(Journal journal) {
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

    /**
     * The events that change what a restart must bring back. A failed probe is one: it leaves the device
     * unbound on purpose, and without it a replay would probe the device again.
     */
    @Override
    public void accept(KernelEvent event) {
        switch (event) {
            case DeviceEvent.Added e -> record(new JournalRecord.DeviceAdded(e.device(), e.pci().chipset().name(),
                    e.pci().revision()));
            case DeviceEvent.Removed e -> record(new JournalRecord.DeviceRemoved(e.device()));
            case DeviceEvent.SurpriseRemoved e -> record(new JournalRecord.SurpriseRemoved(e.device()));
            case DriverEvent.Bound e -> record(new JournalRecord.Bound(e.device(), e.driver(), e.policy()));
            case DriverEvent.ProbeFailed e -> record(new JournalRecord.ProbeFailed(e.device(), e.driver()));
            case DriverEvent.Unbound e -> record(new JournalRecord.Unbound(e.device(), Optional.of(e.driver())));
            case DriverEvent.PolicyChanged e -> record(new JournalRecord.PolicySet(e.driver(), e.policy()));
            case DriverEvent.FaultsChanged e -> record(new JournalRecord.FaultsSet(e.faults()));
            case ModuleEvent.Loaded e -> record(new JournalRecord.ModuleLoaded(e.module()));
            case ModuleEvent.Unloaded e -> record(new JournalRecord.ModuleUnloaded(e.module()));
            default -> { } // the rest is rebuilt by the replay, or is not state
        }
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
