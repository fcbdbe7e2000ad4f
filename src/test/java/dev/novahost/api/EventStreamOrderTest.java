package dev.novahost.api;

import dev.novahost.kernel.events.JournalEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.events.EventLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Two threads append at once (the timer threads and HTTP requests do): the log hands events to its
 * listeners after its lock, so a subscriber can be handed the later one first. It must still send
 * every event, in order.
 */
class EventStreamOrderTest {

    private static final Pattern ID = Pattern.compile("id:(\\d+)");

    /** Records the ids of the events sent. */
    static final class RecordingEmitter extends SseEmitter {
        final List<Long> ids = new CopyOnWriteArrayList<>();

        @Override
        public void send(SseEventBuilder builder) {
            var text = builder.build().stream().map(d -> String.valueOf(d.getData())).reduce("", String::concat);
            var id = ID.matcher(text);
            if (id.find()) {
                ids.add(Long.parseLong(id.group(1)));
            }
        }
    }

    @Test
    void anEventHandedOverLateIsSentInItsPlace() throws Exception {
        var log = new EventLog(Clock.system(), 1024);
        var first = log.emit(new JournalEvent.Skipped("before the stream"));
        var emitter = new RecordingEmitter();
        // listeners run in the order they subscribed: this one holds the first appender back after its
        // append and before the stream hears of it, until the second appender's event went through
        var secondDelivered = new CountDownLatch(1);
        log.subscribe(event -> {
            if (event.message().equals("journal: slow")) {
                awaitQuietly(secondDelivered);
            }
        });
        new EventStream(log, emitter, first.seq(), null, 64, Duration.ofSeconds(15)).start(() -> { });
        log.subscribe(event -> {
            if (event.message().equals("journal: fast")) {
                secondDelivered.countDown();
            }
        });
        // the stream is live (past its backlog) once this one went out
        var marker = log.emit(new JournalEvent.Skipped("marker"));
        await().atMost(Duration.ofSeconds(5)).until(() -> emitter.ids.contains(marker.seq()));

        var slow = Thread.ofPlatform().start(() -> log.emit(new JournalEvent.Skipped("slow")));
        await().atMost(Duration.ofSeconds(5)).until(() -> log.lastSeq() == marker.seq() + 1);
        log.emit(new JournalEvent.Skipped("fast"));
        slow.join();
        log.emit(new JournalEvent.Skipped("after"));

        await().atMost(Duration.ofSeconds(5)).until(() -> emitter.ids.size() == 4);
        assertThat(emitter.ids).containsExactly(marker.seq(), marker.seq() + 1, marker.seq() + 2, marker.seq() + 3);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
