package dev.novahost.kernel.events;

import dev.novahost.kernel.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The kernel's one event channel: every {@link KernelEvent} is emitted here. Those that are log lines
 * go into the kernel log ({@code dmesg}), a bounded ring with a total order where old lines fall out
 * when it is full, and to its readers; then every event goes to the observers (metrics, the journal),
 * which match on its type.
 *
 * <p>Thread-safety: appends are serialised on {@code this}, so sequence numbers and ring order agree
 * (a reader that sees line n can find every line before it in the ring). Readers and observers are
 * called after the append, outside the lock, on the emitting thread (sometimes under a device lock):
 * they must be quick, must not block and must not call back into the kernel. An observer may throw to
 * refuse the change (the journal does when it cannot make it durable); the exception reaches the caller.
 */
public final class EventLog {

    /** Lines a ring starts with: a scenario's kernel may keep 100,000, and most runs write a few dozen. */
    private static final int FIRST_RING = 256;

    private final Clock clock;
    private final int capacity;
    /** Grows (doubling) up to {@code capacity} before it first wraps, so that seq % length never moves a line. */
    private LogEntry[] ring;
    private final List<Consumer<LogEntry>> readers = new CopyOnWriteArrayList<>();
    private final List<Consumer<KernelEvent>> observers = new CopyOnWriteArrayList<>();
    private long nextSeq = 1;

    public EventLog(Clock clock, int capacity) {
        this.clock = clock;
        this.capacity = capacity;
        this.ring = new LogEntry[Math.min(capacity, FIRST_RING)];
    }

    /** Emits the event: its log line if it is one (returned, else null), then to the observers. */
    public LogEntry emit(KernelEvent event) {
        LogEntry line = null;
        if (event.logged()) {
            synchronized (this) {
                if (nextSeq >= ring.length && ring.length < capacity) {
                    ring = Arrays.copyOf(ring, (int) Math.min(2L * ring.length, capacity));
                }
                line = new LogEntry(nextSeq, clock.nanoTime(), System.currentTimeMillis(), event);
                ring[(int) (nextSeq % ring.length)] = line;
                nextSeq++;
            }
            for (var reader : readers) {
                reader.accept(line);
            }
        }
        for (var observer : observers) {
            observer.accept(event);
        }
        return line;
    }

    /** Emits a log-line event and adds its line to the history of the object it concerns. */
    public void emit(History history, KernelEvent event) {
        var line = emit(event);
        if (line != null) {
            history.add(line);
        }
    }

    /** Every log line from now on. */
    public void subscribe(Consumer<LogEntry> reader) {
        readers.add(reader);
    }

    public void unsubscribe(Consumer<LogEntry> reader) {
        readers.remove(reader);
    }

    /** Every event from now on, log line or not, after its line's readers. */
    public void observe(Consumer<KernelEvent> observer) {
        observers.add(observer);
    }

    /**
     * Lines with a sequence number above {@code afterSeq}, oldest first, at most {@code limit}: none
     * when {@code afterSeq} is at or beyond the newest (compared before any arithmetic, so that no
     * value of {@code afterSeq} overflows into "everything").
     */
    public synchronized List<LogEntry> since(long afterSeq, int limit) {
        if (afterSeq >= nextSeq - 1) {
            return List.of();
        }
        long first = Math.max(afterSeq + 1, Math.max(1, nextSeq - ring.length));
        var lines = new ArrayList<LogEntry>();
        for (long seq = first; seq < nextSeq && lines.size() < limit; seq++) {
            lines.add(ring[(int) (seq % ring.length)]);
        }
        return lines;
    }

    public synchronized long lastSeq() {
        return nextSeq - 1;
    }
}
