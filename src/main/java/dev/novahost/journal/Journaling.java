package dev.novahost.journal;

import dev.novahost.kernel.events.DeviceEvent;
import dev.novahost.kernel.events.DriverEvent;
import dev.novahost.kernel.events.HostEvent;
import dev.novahost.kernel.events.KernelEvent;
import dev.novahost.kernel.events.ModuleEvent;
import dev.novahost.kernel.firmware.FirmwareStore;
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
 *
 * <p>A request may run its change as a kernel task, on a thread it starts (and may stop waiting for):
 * that thread inherits the open operation, so what the task records while the request waits is part
 * of it; what it records after the request committed (it answered {@code 202}) is appended on its own,
 * after the operation, in the order it happened. An {@link Operation} is shared by those two threads
 * and guards itself.
 */
public final class Journaling implements Consumer<KernelEvent> {

    private final Journal journal;
    private volatile boolean replaying;
    /** Inheritable: a task started by the request joins its operation (see the class comment). */
    private final InheritableThreadLocal<Operation> operation = new InheritableThreadLocal<>();

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
            case HostEvent.FirmwareChanged(var change) -> record(switch (change) {
                case FirmwareStore.Change.Installed(var name, var image) -> JournalRecord.FirmwareInstalled.of(name, image);
                case FirmwareStore.Change.Deleted(var name) -> new JournalRecord.FirmwareDeleted(name);
                case FirmwareStore.Change.Defaults() -> new JournalRecord.FirmwareDefaults();
            });
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
        operation.set(new Operation());
    }

    /**
     * Appends what this thread recorded since {@link #begin()}, as one operation.
     *
     * @throws Journal.JournalException the operation is not durable, and the journal takes no more changes
     */
    public void commit() {
        var open = operation.get();
        operation.remove();
        if (open != null) {
            open.commit();
        }
    }

    private void record(JournalRecord record) {
        if (replaying) {
            return;
        }
        var open = operation.get();
        if (open != null) {
            open.add(record);
        } else {
            journal.append(record);
        }
    }

    /**
     * One request's records, held until it commits; a record added after that is appended on its own.
     * Both under the operation's lock, so a late record of a task cannot reach the disk before the
     * records held for the request it belonged to.
     */
    private final class Operation {

        private final List<JournalRecord> held = new ArrayList<>();
        private boolean committed;

        synchronized void add(JournalRecord record) {
            if (committed) {
                journal.append(record);
            } else {
                held.add(record);
            }
        }

        synchronized void commit() {
            if (committed) {
                return;
            }
            committed = true;
            if (!held.isEmpty()) {
                journal.appendOperation(held);
            }
        }
    }
}
