package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The live kernel log over a real socket, as {@code curl -N} or a browser's EventSource sees it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EventStreamTest {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<HttpResponse<java.io.InputStream>> open = new ArrayList<>();

    @BeforeEach
    void cleanHost() throws Exception {
        post("/api/v1/host/reset", "");
    }

    @AfterEach
    void closeStreams() throws Exception {
        for (var response : open) {
            response.body().close();
        }
    }

    @Test
    void aNewDeviceShowsUpLiveAndAResumeHasNoGapsOrDuplicates() throws Exception {
        var stream = subscribe("0");
        post("/api/v1/devices", "{\"chipset\":\"GA102\"}");
        post("/api/v1/modules/nova-core/load", "");

        var first = readUntil(stream, "driver.bound");
        assertThat(first).anySatisfy(e -> assertThat(e.data()).contains("pci.added"));
        long lastId = first.getLast().id();
        assertThat(first).extracting(Sse::id).isSorted().doesNotHaveDuplicates();

        post("/api/v1/drivers/nova-core/unbind", "{\"device\":\"0000:01:00.0\"}");
        var resumed = readUntil(subscribe(Long.toString(lastId)), "driver.removed");
        assertThat(resumed.getFirst().id()).isEqualTo(lastId + 1);
        assertThat(resumed).extracting(Sse::id).isSorted().doesNotHaveDuplicates();
    }

    record Sse(long id, String data) { }

    private BufferedReader subscribe(String lastEventId) throws Exception {
        var request = HttpRequest.newBuilder(uri("/api/v1/events/stream")).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        var response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        open.add(response);
        return new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    /** Reads events up to and including the first whose data names {@code type}. */
    private static List<Sse> readUntil(BufferedReader stream, String type) throws Exception {
        var events = new ArrayList<Sse>();
        long id = -1;
        for (String line = stream.readLine(); line != null; line = stream.readLine()) {
            if (line.startsWith("id:")) {
                id = Long.parseLong(line.substring(3).trim());
            } else if (line.startsWith("data:")) {
                var event = new Sse(id, line.substring(5));
                events.add(event);
                if (event.data().contains("\"type\":\"" + type + "\"")) {
                    return events;
                }
            }
        }
        throw new AssertionError("stream ended before " + type + ": " + events);
    }

    private void post(String path, String json) throws Exception {
        var response = http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " " + response.body()).isLessThan(300);
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
