package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code promtool}, Prometheus' checker for expositions, configurations and rule files. */
record Promtool(Path binary) {

    /** What one promtool run printed (stdout and stderr together) and its exit code. */
    record Run(int exitCode, String output) {
    }

    static Promtool installed() {
        return new Promtool(PrometheusPackage.promtool());
    }

    Run run(String... args) throws IOException, InterruptedException {
        return runOn("", args);
    }

    /** Runs promtool with {@code stdin} piped to it, as in {@code curl .../prometheus | promtool check metrics}. */
    Run runOn(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Fed from its own thread, so a promtool that answers before reading everything cannot deadlock us.
        var feeder = Thread.ofVirtual().start(() -> {
            try (var in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("promtool %s finished", command).isTrue();
        feeder.join();
        return new Run(process.exitValue(), output);
    }
}
