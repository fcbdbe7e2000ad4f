package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.pci.PciAddress;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** The kernel log ({@code dmesg}), oldest first, from a sequence number on. */
@RestController
@RequestMapping(path = "/api/v1/events", produces = MediaType.APPLICATION_JSON_VALUE)
class EventController {

    static final int MAX_LIMIT = 1000;

    private final EventLog log;
    private final EventStreams streams;

    EventController(EventLog log, EventStreams streams) {
        this.log = log;
        this.streams = streams;
    }

    /**
     * The kernel log live, as Server-Sent Events: each event's id is its sequence number; reconnecting
     * with {@code Last-Event-ID} resumes right after it. {@code EUSERS} past the subscriber limit.
     *
     * <p>{@code Last-Event-ID} is not the client's own choice but what its browser sends back when it
     * reconnects, so an id beyond the newest event is not refused: it comes from before a restart (the
     * log starts again at 1), and the stream says so with a {@code reset} event and replays the log from
     * its oldest event (see {@link EventStream}). What cannot be a sequence number is {@code EINVAL}.
     */
    @GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(@RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
                      @RequestParam(required = false) String device) {
        long after = lastEventId == null ? log.lastSeq() : parseLastEventId(lastEventId);
        return streams.subscribe(after, device == null ? null : PciAddress.parse(device).toString());
    }

    private static long parseLastEventId(String text) {
        try {
            long seq = Long.parseLong(text.trim());
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException notANumber) {
            // fall through
        }
        throw KernelException.of(Errno.EINVAL, "Last-Event-ID must be an event sequence number, was '" + text + "'");
    }

    /**
     * The lines after {@code since}. A {@code since} beyond the newest line names nothing that exists
     * (a client that polls passes the last seq it saw, never more; after a restart the log starts again
     * at 1), so it is {@code EINVAL} naming the valid range, as a negative one is.
     */
    @GetMapping
    List<EventView> list(@RequestParam(defaultValue = "0") long since, @RequestParam(defaultValue = "100") int limit,
                         @RequestParam(required = false) String device) {
        long newest = log.lastSeq();
        if (since < 0 || since > newest) {
            throw KernelException.of(Errno.EINVAL, "since must be a sequence number from 0 to " + newest
                    + " (the newest event), was " + since);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw KernelException.of(Errno.EINVAL, "limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        String only = device == null ? null : PciAddress.parse(device).toString();
        var events = log.since(since, device == null ? limit : Integer.MAX_VALUE);
        return events.stream()
                .filter(e -> only == null || only.equals(e.device()))
                .limit(limit)
                .map(EventView::of)
                .toList();
    }
}
