package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.novahost.scenario.RunSlots;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Item 4 of issue 13: while as many expensive scenario runs go as the service allows (each a 10 µs
 * timer advanced until its event budget stops it), the host and the liveness probe still answer
 * quickly. Before, two such runs pinned both carriers of the request threads (virtual threads) and
 * neither answered at all. Loopback only, a bounded number of requests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScenarioLivenessTest {

    private static final int PROBES = 20;

    @LocalServerPort
    int port;

    @Autowired
    RunSlots slots;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * The same burn on a simulated CPU instead of the run's thread: the start of a callback an hour away
     * runs the 10 µs timer on that CPU, a virtual thread that shares its carriers with the request threads.
     */
    static final String ENDLESS_ON_A_CPU = """
            {"op": "create-device", "chipset": "GA102", "address": "0000:01:00.0"},
            {"op": "load"},
            {"op": "arm-timer", "device": "0000:01:00.0", "mode": "periodic", "delayNs": 0, "periodNs": 10000},
            {"op": "arm-timer", "device": "0000:01:00.0", "mode": "oneshot", "delayNs": 3600000000000, "as": "h"},
            {"op": "start-callback", "timer": "h"}""";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"on the run's thread", "on a simulated CPU"})
    void theHostAndItsLivenessAnswerWhileEveryRunSlotBurnsACpu(String where) throws Exception {
        String endless = where.equals("on the run's thread") ? ScenarioApiTest.ENDLESS : ENDLESS_ON_A_CPU;
        for (String path : List.of("/api/v1/host", "/actuator/health/liveness")) { // warm: class loading, the JIT
            assertThat(send(HttpRequest.newBuilder(uri(path)).GET().build()).statusCode()).isEqualTo(200);
        }
        var stop = new AtomicBoolean();
        var statuses = new ArrayList<Integer>();
        var runners = new ArrayList<Thread>();
        for (int i = 0; i < slots.free(); i++) {
            runners.add(Thread.ofPlatform().name("expensive-runs-" + i).start(() -> {
                while (!stop.get()) {
                    int status = send(post("/api/v1/scenarios/run",
                            "{\"scenario\":{\"steps\":[" + endless + "]}}")).statusCode();
                    synchronized (statuses) {
                        statuses.add(status);
                    }
                }
            }));
        }
        var latencies = new ArrayList<Long>();
        try {
            for (int i = 0; i < PROBES; i++) {
                await().atMost(Duration.ofSeconds(30)).until(() -> slots.free() == 0);
                for (String path : List.of("/api/v1/host", "/actuator/health/liveness")) {
                    long start = System.nanoTime();
                    var answer = send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
                    latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    assertThat(answer.statusCode()).as("GET %s while every run slot is taken", path).isEqualTo(200);
                }
            }
        } finally {
            stop.set(true);
            for (var runner : runners) {
                runner.join(Duration.ofSeconds(60));
            }
        }
        System.out.println("item 4: latencies in order (ms): " + latencies);
        latencies.sort(Long::compare);
        System.out.printf("item 4: %d GETs of /api/v1/host and liveness while %d endless runs went: median %d ms,"
                + " max %d ms; the runs answered %s%n", latencies.size(), runners.size(),
                latencies.get(latencies.size() / 2), latencies.getLast(), statuses);
        assertThat(latencies.get(latencies.size() / 2)).as("median answer, ms").isLessThan(500);
        assertThat(latencies.getLast()).as("slowest answer, ms (a loaded machine; before, none came at all)")
                .isLessThan(5_000);
        assertThat(statuses).as("every expensive run was stopped by its budget").isNotEmpty().containsOnly(422);
    }

    private HttpRequest post(String path, String json) {
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(request.uri() + " failed", e);
        }
    }
}
