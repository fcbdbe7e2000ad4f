package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.novahost.kernel.novacore.CallbackHold;
import dev.novahost.kernel.novacore.TimerService;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An unbind stuck in {@code hrtimer_cancel} (its device's timer callback is held in flight) over a real
 * socket: the request answers {@code 202} within its {@code wait}, and meanwhile the rest of the host
 * (another device, the host, the console, the metrics, the event stream) answers as if nothing waited.
 * Every request here has a deadline of {@link #PROMPT}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureMetrics
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StuckUnbindTest {

    /** What "promptly" means: far below the stuck unbind's wait for a callback that never returns. */
    private static final Duration PROMPT = Duration.ofSeconds(5);
    private static final String STUCK = "0000:01:00.0";
    private static final String OTHER = "0000:02:00.0";

    @LocalServerPort
    int port;

    @Autowired
    TimerService timers;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROMPT).build();
    private HttpResponse<InputStream> stream;
    private CallbackHold callback;

    @AfterEach
    void letGo() throws Exception {
        if (callback != null) {
            callback.release();
        }
        if (stream != null) {
            stream.body().close();
        }
    }

    @Test
    void aStuckUnbindAnswers202AndNeverBlocksOtherDevicesTheConsoleTheMetricsOrTheEventStream() throws Exception {
        send("POST", "/api/v1/host/reset", "", 200);
        send("POST", "/api/v1/modules/nova-core/load", "", 200);
        send("POST", "/api/v1/devices", "{\"chipset\":\"GA102\",\"address\":\"" + STUCK + "\"}", 201);
        send("POST", "/api/v1/devices", "{\"chipset\":\"GA102\",\"address\":\"" + OTHER + "\"}", 201);
        var events = subscribe();
        send("POST", "/api/v1/devices/" + STUCK + "/timers", "{\"mode\":\"periodic\",\"delayNs\":0,\"periodNs\":1000000}", 201);
        var timer = timers.all().stream().filter(t -> t.owner().address().equals(STUCK))
                .findFirst().orElseThrow();
        callback = timer.holdNextCallback();
        assertThat(callback.awaitEntered(PROMPT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        long started = System.nanoTime();
        var accepted = send("POST", "/api/v1/drivers/nova-core/unbind?wait=300", "{\"device\":\"" + STUCK + "\"}", 202);
        long answeredMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(answeredMs).as("answered after its wait, not after the callback").isLessThan(PROMPT.toMillis());
        var task = accepted.headers().firstValue("Location").orElseThrow();
        await().atMost(PROMPT).untilAsserted(() -> assertThat(send("GET", task, null, 200).body())
                .contains("\"state\":\"D\"", "\"blockedOn\":\"hrtimer_cancel(" + timer.name() + ")\""));

        long worstMs = 0;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            assertThat(send("GET", "/api/v1/devices/" + OTHER, null, 200).body()).contains("\"driver\":\"nova-core\"");
            send("POST", "/api/v1/devices/" + OTHER + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":1000000000}", 201);
            send("GET", "/api/v1/host", null, 200);
            assertThat(send("GET", "/", null, 200).body()).contains("<html");
            assertThat(send("GET", "/actuator/prometheus", null, 200).body()).contains("nova_");
            send("GET", "/api/v1/tasks", null, 200);
            worstMs = Math.max(worstMs, (System.nanoTime() - t0) / 1_000_000);
        }
        var armedOnTheOther = CompletableFuture.supplyAsync(() -> readUntil(events, "timer.armed", OTHER));
        armedOnTheOther.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(send("GET", task, null, 200).body()).as("still stuck meanwhile").contains("\"state\":\"D\"");
        System.out.printf("stuck unbind: 202 after %d ms; six other requests in at most %d ms a round%n",
                answeredMs, worstMs);

        callback.release();
        var done = CompletableFuture.supplyAsync(() -> readUntil(events, "task.done", ""));
        assertThat(done.get(PROMPT.toMillis(), TimeUnit.MILLISECONDS)).contains("unbind " + STUCK);
        assertThat(send("GET", task, null, 200).body()).contains("\"state\":\"done\"", "\"ok\":true");
        assertThat(send("GET", "/api/v1/devices/" + STUCK, null, 200).body()).doesNotContain("nova-core");
    }

    private BufferedReader subscribe() throws Exception {
        stream = http.send(HttpRequest.newBuilder(uri("/api/v1/events/stream")).header("Accept", "text/event-stream")
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        return new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
    }

    /** The data of the first event of {@code type} whose data mentions {@code mentioning}. */
    private static String readUntil(BufferedReader events, String type, String mentioning) {
        try {
            for (String line = events.readLine(); line != null; line = events.readLine()) {
                if (line.startsWith("data:") && line.contains("\"type\":\"" + type + "\"") && line.contains(mentioning)) {
                    return line;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("the stream ended before " + type);
    }

    private HttpResponse<String> send(String method, String path, String json, int expected) throws Exception {
        var request = HttpRequest.newBuilder(uri(path)).timeout(PROMPT);
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        var response = http.send(request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
        return response;
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
