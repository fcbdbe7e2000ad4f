package dev.novahost.api;

import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.LogEntry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One live subscriber of the kernel log: events go out as SSE with the sequence number as event id,
 * so a client that reconnects with {@code Last-Event-ID} gets exactly the events after it, without gaps
 * or duplicates.
 *
 * <p>The kernel never waits for a subscriber: events are offered to a bounded queue, and a subscriber
 * that falls a whole queue behind is sent one last {@code dropped} event and disconnected. A virtual
 * thread per subscriber does the (blocking) sending.
 *
 * <p>Gap-free: the listener is registered before the backlog is read, the sender skips any queued event
 * at or below the last one it sent, and fills in from the ring any it was handed out of order.
 *
 * <p>A client that leaves is noticed by the first write that fails: an event, or the keep-alive comment
 * a quiet stream sends every heartbeat (the Servlet API says nothing when a client goes away). The
 * sender then ends and frees the subscriber's slot. No sequence arithmetic here can overflow: a resume
 * point beyond the newest event is brought back to the log's start before anything is sent.
 */
final class EventStream {

    private static final LogEntry OVERFLOW = new LogEntry(-1, 0, 0, null); // a marker, compared by identity

    private final EventLog log;
    private final SseEmitter emitter;
    private final String device;
    private final BlockingQueue<LogEntry> queue;
    private final Duration heartbeat;
    private final Consumer<LogEntry> listener = this::offer;
    private volatile boolean overflowed;
    private long lastSent;

    EventStream(EventLog log, SseEmitter emitter, long lastEventId, String device, int backlog, Duration heartbeat) {
        this.log = log;
        this.emitter = emitter;
        this.device = device;
        this.queue = new ArrayBlockingQueue<>(backlog + 1);
        this.heartbeat = heartbeat;
        this.lastSent = lastEventId;
    }

    /** Subscribes, then sends the backlog after {@code lastEventId} and everything new, until closed. */
    void start(Runnable onEnd) {
        log.subscribe(listener);
        var sender = Thread.ofVirtual().name("nova-sse").unstarted(() -> {
            try {
                emitter.send(SseEmitter.event().comment("nova-host kernel log"));
                resumeWithinTheLog();
                sendBacklog();
                sendLive();
            } catch (IOException | IllegalStateException gone) {
                // the client went away; nothing to tell it
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            } finally {
                log.unsubscribe(listener);
                onEnd.run();
            }
        });
        emitter.onCompletion(sender::interrupt);
        emitter.onError(failure -> sender.interrupt());
        sender.start();
    }

    private void offer(LogEntry event) {
        if (!overflowed && !queue.offer(event)) {
            overflowed = true;
            queue.clear();
            queue.offer(OVERFLOW);
        }
    }

    /**
     * A {@code Last-Event-ID} beyond the newest event is not from this run of the log: the log starts
     * again at 1 when the service restarts (a browser reconnecting across a restart sends the old run's
     * id). Everything this run logged is then new to the client, the restart's own lines first, so it is
     * replayed from the oldest event the ring holds (bounded by the ring, whatever the id), after a
     * {@code reset} event that tells the client its ids start over.
     */
    private void resumeWithinTheLog() throws IOException {
        long newest = log.lastSeq();
        if (lastSent > newest) {
            emitter.send(SseEmitter.event().name("reset").data("{\"reason\":\"Last-Event-ID " + lastSent
                    + " is beyond the newest event, " + newest + ": the log has restarted; replaying it from its oldest"
                    + " event\"}"));
            lastSent = 0;
        }
    }

    private void sendBacklog() throws IOException {
        for (var batch = log.since(lastSent, 1000); !batch.isEmpty(); batch = log.since(lastSent, 1000)) {
            for (LogEntry event : batch) {
                send(event);
            }
        }
    }

    private void sendLive() throws IOException, InterruptedException {
        while (true) {
            var event = queue.poll(heartbeat.toNanos(), TimeUnit.NANOSECONDS);
            if (event == null) {
                emitter.send(SseEmitter.event().comment("keepalive")); // finds clients that went away
                continue;
            }
            if (event == OVERFLOW) {
                emitter.send(SseEmitter.event().name("dropped")
                        .data("{\"reason\":\"subscriber too slow; reconnect with Last-Event-ID " + lastSent + "\"}"));
                emitter.complete();
                return;
            }
            send(event);
        }
    }

    private void send(LogEntry event) throws IOException {
        if (event.seq() <= lastSent) {
            return;
        }
        // The log calls listeners after its lock, so two appenders can hand events over out of order;
        // what an event skipped is in the ring already (it was appended first), so send that before it.
        while (event.seq() - lastSent > 1) { // both in 0..newest: the difference cannot overflow
            var earlier = log.since(lastSent, (int) Math.min(event.seq() - lastSent - 1, 1000));
            if (earlier.isEmpty() || earlier.getFirst().seq() >= event.seq()) {
                break; // fell out of the ring: nothing left to send before this one
            }
            for (LogEntry missed : earlier) {
                if (missed.seq() < event.seq()) {
                    emit(missed);
                }
            }
        }
        emit(event);
    }

    private void emit(LogEntry event) throws IOException {
        lastSent = event.seq();
        if (device == null || device.equals(event.device())) {
            emitter.send(SseEmitter.event().id(Long.toString(event.seq())).data(EventView.of(event)));
        }
    }
}
