package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/** The event stream takes a bounded number of subscribers; the next one is told so, not queued. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = "nova.max-subscribers=1")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EventStreamLimitTest {

    @LocalServerPort
    int port;

    @Test
    void theSubscriberPastTheLimitGetsEusers() throws Exception {
        var http = HttpClient.newHttpClient();
        var stream = URI.create("http://localhost:" + port + "/api/v1/events/stream");
        var first = http.send(HttpRequest.newBuilder(stream).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try {
            assertThat(first.statusCode()).isEqualTo(200);
            var refused = http.send(HttpRequest.newBuilder(stream).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("\"errno\":\"EUSERS\"");
        } finally {
            first.body().close();
        }
    }
}
