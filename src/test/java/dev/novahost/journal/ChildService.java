package dev.novahost.journal;

import static org.awaitility.Awaitility.await;

import dev.novahost.NovaHostApplication;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The service in a child JVM, on a free loopback port, once it reports ready: what the kill -9 tests
 * kill and start again on the same data folder. A JVM of its own, because only a real process dies
 * with SIGKILL mid-write.
 */
record ChildService(Process process, int port) {

    /**
     * Starts one with {@code settings} (its command-line arguments besides the port), its output in the
     * file {@code log} names for the port. The process joins {@code children} before it is ready, so
     * that the test's clean-up kills one that never gets there.
     */
    static ChildService start(HttpClient http, List<Process> children, IntFunction<Path> log, List<String> settings)
            throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                NovaHostApplication.class.getName(), "--server.port=" + port));
        command.addAll(settings);
        var process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.apply(port).toFile())
                .start();
        children.add(process);
        // a start from the test class path takes seconds on a quiet machine and far longer under a loaded one's
        // builds; a child that died is reported at once, with where its output is
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> !process.isAlive() || http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        if (!process.isAlive()) {
            throw new IllegalStateException("the child service exited with " + process.exitValue() + " before it was ready; "
                    + "its output is in " + log.apply(port));
        }
        return new ChildService(process, port);
    }
}
