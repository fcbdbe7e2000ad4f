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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** A subscriber that stops reading never holds up the kernel: it is dropped with a final event. */
class EventStreamOverflowTest {

    /** An emitter whose client has stopped reading: every send blocks until the test lets go. */
    static final class StuckEmitter extends SseEmitter {
        final CountDownLatch unstick = new CountDownLatch(1);
        final List<String> sent = new CopyOnWriteArrayList<>();
        final AtomicBoolean completed = new AtomicBoolean();

        @Override
        public void send(SseEventBuilder builder) {
            sent.add(builder.build().stream().map(d -> String.valueOf(d.getData())).reduce("", String::concat));
            try {
                unstick.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void complete() {
            completed.set(true);
        }
    }

    @Test
    void aSlowSubscriberIsDroppedAndTheKernelNeverWaits() {
        var log = new EventLog(Clock.system(), 1024);
        var emitter = new StuckEmitter();
        var ended = new AtomicBoolean();
        new EventStream(log, emitter, log.lastSeq(), null, 8, Duration.ofSeconds(15)).start(() -> ended.set(true));

        for (int i = 0; i < 100; i++) {
            log.emit(new JournalEvent.Skipped("event " + i));
        }
        emitter.unstick.countDown();

        await().atMost(Duration.ofSeconds(5)).untilTrue(ended);
        assertThat(emitter.completed).isTrue();
        assertThat(emitter.sent.getLast()).contains("dropped").contains("Last-Event-ID");
    }
}
