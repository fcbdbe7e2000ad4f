package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Prometheus (Debian's binary) for one test: on a free loopback port, with its storage in the
 * test's temporary folder, stopped by {@link #close()}. Its log is kept next to the storage and
 * printed when it fails to come up.
 */
final class PrometheusServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process process;
    private final URI base;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusServer(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** Starts Prometheus with {@code config} (prometheus.yml text) and waits until it is ready. */
    static PrometheusServer start(Path folder, String config) throws IOException {
        var binary = PrometheusPackage.prometheus();
        var configFile = Files.writeString(folder.resolve("prometheus.yml"), config);
        var log = folder.resolve("prometheus.log");
        int port = freeLoopbackPort();
        var process = new ProcessBuilder(List.of(binary.toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + folder.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        var server = new PrometheusServer(process, URI.create("http://127.0.0.1:" + port), log);
        try {
            await("Prometheus ready on port " + port).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(server::ready);
        } catch (RuntimeException | Error e) {
            server.close();
            throw new AssertionError("Prometheus did not come up; its log:\n" + Files.readString(log), e);
        }
        return server;
    }

    /** The result vector of an instant query ({@code data.result} of {@code /api/v1/query}). */
    JsonNode query(String promql) throws IOException, InterruptedException {
        var uri = base.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        var response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("query %s answered %s", promql, response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("data").path("result");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private boolean ready() throws IOException, InterruptedException {
        assertThat(process.isAlive()).as("prometheus is running; its log:%n%s", Files.readString(log)).isTrue();
        try {
            var response = http.send(HttpRequest.newBuilder(base.resolve("/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException notListeningYet) {
            return false;
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
