package dev.novahost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build runs Spring's AOT engine (pom.xml, {@code process-aot}), and the service starts in AOT mode
 * unless told otherwise ({@code -Dspring.aot.enabled=false}): bean definitions generated at build time
 * instead of condition evaluation and reflection at start (P7 in docs/BENCHMARKS.md). This starts the
 * service as a user does, through its main method with no flags, in a JVM of its own, and drives it a
 * little, so a bean the AOT engine gets wrong fails the build.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AotModeTest {

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
        }
    }

    @Test
    void theServiceStartsInAotModeByDefault() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var log = data.resolveSibling(data.getFileName() + "-aot.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        service = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                NovaHostApplication.class.getName(), "--server.port=" + port, "--nova.data-dir=" + data,
                "--nova.load-nova-core=true", "--nova.fleet=GA102@0000:01:00.0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> send(port, "GET", "/actuator/health/readiness", null).statusCode() == 200);

        assertThat(Files.readString(log)).contains("Starting AOT-processed NovaHostApplication");
        assertThat(send(port, "GET", "/api/v1/devices/0000:01:00.0/mmio/0x0", null).body()).contains("NV_PMC_BOOT_0");
        assertThat(send(port, "POST", "/api/v1/devices/0000:01:00.0/timers",
                "{\"mode\":\"oneshot\",\"delayNs\":1000000}").statusCode()).isEqualTo(201);
        // spring.jackson.* switches are bound at run time: in AOT mode too a fraction is no integer (issue 13, item 16)
        var fraction = send(port, "POST", "/api/v1/devices/0000:01:00.0/timers", "{\"mode\":\"oneshot\",\"delayNs\":3.5}");
        assertThat(fraction.statusCode()).isEqualTo(400);
        assertThat(fraction.body()).contains("\"errno\":\"EINVAL\"", "delayNs");
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/devices/0000:01:00.0"))
                .timeout(Duration.ofSeconds(10)).header("Accept", "application/problem+json").DELETE().build();
        assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(204); // item 15
        assertThat(send(port, "GET", "/api/v1/nope", null).body()).contains("\"errno\"");
        assertThat(send(port, "GET", "/actuator/prometheus", null).body()).contains("nova_devices");
    }

    private HttpResponse<String> send(int port, String method, String path, String json)
            throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
