package dev.novahost.kernel.novacore;

import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.WaitEvent;
import dev.novahost.kernel.hungtask.HungTaskDetector;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The leaf waits of nova-core's model, which only their condition or the host can end: a contended
 * {@code &nd->lock}, a {@code block} callback waiting to be released, a work function waiting for
 * itself. Each waits on a monitor of its own, is blocked in the hung-task detector's eyes while it
 * waits, and can be broken: {@link #breakAll} (a host reset or shutdown) makes every wait of the
 * devices bound until then give up, so that a deadlock does not outlive the machine.
 *
 * <p>Breaking is by epoch: every driver instance is born in one ({@link #epoch()} at probe), and a wait
 * of an instance born before the last break gives up at once, now or later. So a periodic callback that
 * would block again after its wait was broken cannot hang the rest of the reset; instances probed after
 * the reset wait as usual.
 *
 * <p>Thread-safety: a waiter holds its monitor from its check to its {@code wait()}, and a break
 * notifies each registered monitor under that monitor, after the epoch has moved: no wake-up is lost.
 */
final class StuckWaits {

    private record Waiting(Object monitor) {
    }

    private final EventLog log;
    private final HungTaskDetector hungTasks;
    private final boolean virtualTime;
    private final AtomicLong epoch = new AtomicLong();
    private final Set<Waiting> waiting = ConcurrentHashMap.newKeySet();
    private volatile String lastBreak = "host reset";

    /**
     * On {@code virtualTime} every callback runs on the one thread that advances the clock, so a wait that
     * only another thread could end would hang it for good: such a wait is abandoned at once instead
     * ({@code wait.aborted}, "by virtual time"), after lockdep has seen it.
     */
    StuckWaits(EventLog log, HungTaskDetector hungTasks, boolean virtualTime) {
        this.log = log;
        this.hungTasks = hungTasks;
        this.virtualTime = virtualTime;
    }

    /** The epoch a driver instance probed now is born in. */
    long epoch() {
        return epoch.get();
    }

    /**
     * Called holding {@code monitor}: waits on it until {@code ready} holds, blocked as {@code task}
     * waiting for {@code waitingFor} (held by {@code holder}, as known), unless the host breaks the
     * wait; true when ready, false when broken (a {@code wait.aborted} line says so). An interrupt (the
     * engine shutting down) breaks it too.
     */
    boolean await(Object monitor, long born, BooleanSupplier ready, String device, String task, String waitingFor,
                  Supplier<String> holder) {
        if (ready.getAsBoolean()) {
            return true;
        }
        if (virtualTime) {
            return aborted(device, task, waitingFor, "virtual time (no other thread could end it)");
        }
        var entry = new Waiting(monitor);
        waiting.add(entry);
        try (var blocked = hungTasks.block(task, waitingFor, holder)) {
            while (!ready.getAsBoolean()) {
                if (epoch.get() != born) {
                    return aborted(device, task, waitingFor, lastBreak);
                }
                try {
                    monitor.wait();
                } catch (InterruptedException shutdown) {
                    Thread.currentThread().interrupt();
                    return aborted(device, task, waitingFor, "shutdown");
                }
            }
            return true;
        } finally {
            waiting.remove(entry);
        }
    }

    private boolean aborted(String device, String task, String waitingFor, String why) {
        log.emit(new WaitEvent.Aborted(device, task, waitingFor, why));
        return false;
    }

    /** Every wait of the instances bound until now gives up ({@code why}: "host reset"). */
    void breakAll(String why) {
        lastBreak = why;
        epoch.incrementAndGet();
        for (var entry : waiting) {
            synchronized (entry.monitor()) {
                entry.monitor().notifyAll();
            }
        }
    }
}
