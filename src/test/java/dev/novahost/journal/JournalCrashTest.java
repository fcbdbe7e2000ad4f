package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.novahost.NovaHostApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service in a child JVM, killed with SIGKILL in the middle of a storm of changes and started again
 * on the same data folder: every change it acknowledged is back, and a torn last record is dropped.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JournalCrashTest {

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void everyAcknowledgedChangeSurvivesKillDashNine() throws Exception {
        var first = start();
        assertThat(send(first, "POST", "/api/v1/modules/nova-core/load", "")).isEqualTo(200);
        assertThat(send(first, "PUT", "/api/v1/drivers/nova-core/policy", "{\"policy\":\"fenced\"}")).isEqualTo(200);
        assertThat(send(first, "POST", "/api/v1/devices", "{\"chipset\":\"GA102\",\"address\":\"0000:01:00.0\"}")).isEqualTo(201);
        assertThat(send(first, "PUT", "/api/v1/drivers/nova-core/policy", "{\"policy\":\"revocable\"}")).isEqualTo(200);
        assertThat(send(first, "PUT", "/api/v1/drivers/nova-core/faults", "{\"leakRegion\":true}")).isEqualTo(200);

        var acknowledged = new ArrayList<String>();
        var stop = new AtomicBoolean();
        var storm = Thread.ofPlatform().start(() -> {
            for (int bus = 2; bus <= 0xff && !stop.get(); bus++) {
                String address = String.format("0000:%02x:00.0", bus);
                try {
                    if (send(first.port, "POST", "/api/v1/devices", "{\"chipset\":\"TU102\",\"address\":\"" + address + "\"}") == 201) {
                        synchronized (acknowledged) {
                            acknowledged.add(address);
                        }
                    }
                } catch (IOException | InterruptedException killed) {
                    return;
                }
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            synchronized (acknowledged) {
                return acknowledged.size() >= 10;
            }
        });
        first.process.destroyForcibly().waitFor();
        stop.set(true);
        storm.join();

        var second = start();
        String devices = get(second, "/api/v1/devices");
        synchronized (acknowledged) {
            for (String address : acknowledged) {
                assertThat(devices).contains("\"address\":\"" + address + "\"");
            }
        }
        assertThat(get(second, "/api/v1/devices/0000:01:00.0"))
                .contains("\"driver\":\"nova-core\"").contains("\"policy\":\"fenced\"");
        assertThat(get(second, "/api/v1/drivers/nova-core/policy")).contains("revocable");
        assertThat(get(second, "/api/v1/drivers/nova-core/faults")).contains("\"leakRegion\":true");
        assertThat(get(second, "/api/v1/modules/nova-core")).contains("\"state\":\"live\"");
        assertThat(get(second, "/api/v1/events?limit=1000")).contains("journal.replayed");
    }

    @Test
    void aTornLastRecordIsDroppedWithAWarning() throws Exception {
        var first = start();
        assertThat(send(first, "POST", "/api/v1/devices", "{\"chipset\":\"GA102\"}")).isEqualTo(201);
        first.process.destroyForcibly().waitFor();
        Files.writeString(data.resolve(Journal.FILE), "{\"seq\":99,\"op\":\"device.add", StandardOpenOption.APPEND);

        var second = start();
        assertThat(get(second, "/api/v1/devices")).contains("0000:01:00.0");
        assertThat(get(second, "/api/v1/events?limit=1000")).contains("journal.torn");
    }

    @Test
    void sigtermUnbindsInOrderWithinBoundsAndKeepsTheStateForTheNextStart() throws Exception {
        var first = start();
        assertThat(send(first, "POST", "/api/v1/devices", "{\"chipset\":\"GA102\"}")).isEqualTo(201);
        assertThat(send(first, "POST", "/api/v1/modules/nova-core/load", "")).isEqualTo(200);
        assertThat(send(first, "POST", "/api/v1/devices/0000:01:00.0/timers",
                "{\"mode\":\"periodic\",\"delayNs\":1000000,\"periodNs\":1000000,\"action\":\"touch-bar\"}")).isEqualTo(201);

        first.process.destroy(); // SIGTERM
        assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).as("exits within 30 s of SIGTERM").isTrue();
        String log = Files.readString(data.resolveSibling(data.getFileName() + "-child-" + first.port + ".log"));
        assertThat(log).contains("every device unbound");

        var second = start();
        assertThat(get(second, "/api/v1/devices/0000:01:00.0")).contains("\"driver\":\"nova-core\"");
        assertThat(get(second, "/api/v1/violations")).isEqualTo("[]");
    }

    private record Child(Process process, int port) { }

    private Child start() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                NovaHostApplication.class.getName(), "--server.port=" + port, "--nova.data-dir=" + data,
                "--spring.main.banner-mode=off", "--logging.level.root=WARN", "--logging.level.dev.novahost=INFO")
                .redirectErrorStream(true)
                .redirectOutput(data.resolveSibling(data.getFileName() + "-child-" + port + ".log").toFile())
                .start();
        children.add(process);
        var child = new Child(process, port);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> send(port, "GET", "/actuator/health/readiness", null) == 200);
        return child;
    }

    private int send(Child child, String method, String path, String json) throws Exception {
        return send(child.port(), method, path, json);
    }

    private int send(int port, String method, String path, String json) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private String get(Child child, String path) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://localhost:" + child.port() + path)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }
}
