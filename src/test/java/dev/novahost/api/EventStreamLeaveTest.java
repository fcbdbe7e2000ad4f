package dev.novahost.api;

import dev.novahost.kernel.events.JournalEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.novahost.kernel.machine.Kernel;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * Issue 13, item 5: {@code Last-Event-ID: 9223372036854775807} used to overflow the sender's sequence
 * arithmetic, so it looped on the backlog for good, never wrote, never noticed its client leave, and
 * held its slot: with every slot held so, the stream answered 503 for good. Now a client that leaves
 * frees its slot within a heartbeat, whatever id it sent, and an id beyond the newest event is a
 * restart's: the stream says {@code reset} and replays the log from its oldest event.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {"nova.max-subscribers=2", "nova.subscriber-heartbeat=100ms"})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventStreamLeaveTest {

    private static final String MAX = Long.toString(Long.MAX_VALUE);

    @LocalServerPort
    int port;

    @Autowired
    EventStreams streams;

    @Autowired
    Kernel kernel;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<HttpResponse<InputStream>> open = new ArrayList<>();

    @AfterEach
    void closeStreams() throws Exception {
        for (var response : open) {
            response.body().close();
        }
        // the next test starts with every slot free: a closed stream is noticed at the next heartbeat
        await().atMost(Duration.ofSeconds(10)).until(() -> streams.subscribers() == 0);
    }

    @Test
    void clientsThatLeaveFreeTheirSlotsWhateverIdTheySent() throws Exception {
        for (var pair : List.of(List.of(MAX, MAX), List.of("0", MAX), List.of("", "1"))) {
            var first = connect(pair.get(0));
            var second = connect(pair.get(1));
            assertThat(streams.subscribers()).isEqualTo(2);
            first.body().close();
            second.body().close();
            await("the slots are freed with no event flowing").atMost(Duration.ofSeconds(10))
                    .until(() -> streams.subscribers() == 0);
        }
        var next = connect(MAX);
        assertThat(next.statusCode()).as("a new subscriber is admitted").isEqualTo(200);
    }

    @Test
    void anIdBeyondTheNewestEventIsARestartsAndReplaysTheLogFromItsOldest() throws Exception {
        kernel.log().emit(new JournalEvent.Skipped("logged before the client reconnects"));
        long oldest = kernel.log().since(0, 1).getFirst().seq();
        var stream = reader(connect(MAX));

        assertThat(stream.readLine()).startsWith(":"); // the opening comment
        assertThat(stream.readLine()).isEmpty();
        assertThat(stream.readLine()).isEqualTo("event:reset");
        assertThat(stream.readLine()).startsWith("data:").contains("beyond the newest event");
        assertThat(stream.readLine()).isEmpty();
        assertThat(stream.readLine()).isEqualTo("id:" + oldest);

        kernel.log().emit(new JournalEvent.Skipped("logged after it reconnected"));
        for (String line = stream.readLine(); ; line = stream.readLine()) {
            assertThat(line).as("the stream goes on live").isNotNull();
            if (line.contains("logged after it reconnected")) {
                break;
            }
        }
    }

    @Test
    void anIdThatIsNoSequenceNumberIsEinval() throws Exception {
        for (String bad : List.of("-1", "x", "9223372036854775808")) {
            var response = http.send(request(bad).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(bad).isEqualTo(400);
            assertThat(response.body()).contains("\"errno\":\"EINVAL\"");
        }
    }

    private HttpResponse<InputStream> connect(String lastEventId) throws Exception {
        var response = http.send(request(lastEventId).build(), HttpResponse.BodyHandlers.ofInputStream());
        open.add(response);
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }

    private HttpRequest.Builder request(String lastEventId) {
        var request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/events/stream"))
                .header("Accept", "text/event-stream");
        if (!lastEventId.isEmpty()) {
            request.header("Last-Event-ID", lastEventId);
        }
        return request.GET();
    }

    private static BufferedReader reader(HttpResponse<InputStream> response) {
        return new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }
}
