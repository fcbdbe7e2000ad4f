package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * nova-host's HTTP API as curl sees it: plain requests to a real socket, JSON in, status and body out,
 * with a bearer token when the service has tokens configured.
 */
final class HostClient {

    /** One answer: the status and the body, which is printed when the status is not the expected one. */
    record Reply(int status, String body) {

        Reply expect(int expected) {
            assertThat(status).as("status of a reply whose body is %s", body).isEqualTo(expected);
            return this;
        }
    }

    private final URI base;
    private final Optional<String> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HostClient(URI base) {
        this(base, Optional.empty());
    }

    HostClient(URI base, Optional<String> token) {
        this.base = base;
        this.token = token;
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    Reply post(String path, String json) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Reply put(String path, String json) throws IOException, InterruptedException {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /**
     * README's "Lifecycle bugs in 2 minutes" story on a device nova-core is bound to: fenced policy and
     * {@code forgetTimerCancel}, a re-probe so the binding takes them, a periodic BAR-touching timer, then
     * an unbind: the timer runs on into the freed driver data, a {@code timer_after_remove} that occurred.
     */
    void makeTimerAfterRemove(String device) throws IOException, InterruptedException {
        var body = "{\"device\":\"" + device + "\"}";
        put("/api/v1/drivers/nova-core/policy", "{\"policy\":\"fenced\"}").expect(200);
        put("/api/v1/drivers/nova-core/faults", "{\"forgetTimerCancel\":true}").expect(200);
        post("/api/v1/drivers/nova-core/unbind", body).expect(200);
        post("/api/v1/drivers/nova-core/bind", body).expect(200);
        post("/api/v1/devices/" + device + "/timers",
                "{\"mode\":\"periodic\",\"delayNs\":1000000,\"periodNs\":20000000,\"action\":\"touch-bar\"}").expect(201);
        post("/api/v1/drivers/nova-core/unbind", body).expect(200);
    }

    private HttpRequest.Builder request(String path) {
        var request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json");
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return request;
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }
}
