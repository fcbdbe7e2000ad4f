package dev.novahost.kernel.events;

import dev.novahost.kernel.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The kernel log ({@code dmesg}): a bounded ring buffer of {@link KernelEvent}s with a total order.
 * Old events fall out when it is full; listeners see every event as it is appended.
 *
 * <p>Thread-safety: appends are serialised on {@code this}, so sequence numbers and ring order agree;
 * listeners are called after the append, outside the lock, on the appending thread, and must not block.
 */
public final class EventLog {

    private final Clock clock;
    private final KernelEvent[] ring;
    private final List<Consumer<KernelEvent>> listeners = new CopyOnWriteArrayList<>();
    private long nextSeq = 1;

    public EventLog(Clock clock, int capacity) {
        this.clock = clock;
        this.ring = new KernelEvent[capacity];
    }

    public KernelEvent append(String device, String object, String type, String message) {
        KernelEvent event;
        synchronized (this) {
            event = new KernelEvent(nextSeq, clock.nanoTime(), System.currentTimeMillis(), device, object, type, message);
            ring[(int) (nextSeq % ring.length)] = event;
            nextSeq++;
        }
        for (var listener : listeners) {
            listener.accept(event);
        }
        return event;
    }

    /** Appends the event and adds it to the history of the object it concerns. */
    public KernelEvent append(History history, String device, String object, String type, String message) {
        var event = append(device, object, type, message);
        history.add(event);
        return event;
    }

    public void subscribe(Consumer<KernelEvent> listener) {
        listeners.add(listener);
    }

    public void unsubscribe(Consumer<KernelEvent> listener) {
        listeners.remove(listener);
    }

    /**
     * Events with a sequence number above {@code afterSeq}, oldest first, at most {@code limit}: none
     * when {@code afterSeq} is at or beyond the newest (compared before any arithmetic, so that no
     * value of {@code afterSeq} overflows into "everything").
     */
    public synchronized List<KernelEvent> since(long afterSeq, int limit) {
        if (afterSeq >= nextSeq - 1) {
            return List.of();
        }
        long first = Math.max(afterSeq + 1, Math.max(1, nextSeq - ring.length));
        var events = new ArrayList<KernelEvent>();
        for (long seq = first; seq < nextSeq && events.size() < limit; seq++) {
            events.add(ring[(int) (seq % ring.length)]);
        }
        return events;
    }

    public synchronized long lastSeq() {
        return nextSeq - 1;
    }
}
