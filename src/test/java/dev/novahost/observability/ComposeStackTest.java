package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * docker/compose.yaml run for real, with docker/compose.test.yaml on top (Prometheus from Debian's
 * package, no Grafana: no registry is reachable here): the stack is built and started under a project
 * name of its own, on free loopback ports, and always taken down with its volumes afterwards. Prometheus
 * scrapes nova-host by its service name over the compose network, loads alerts.yml, and a timer that
 * runs after remove() raises NovaLifecycleViolation.
 *
 * <p>Needs {@code docker compose} (v2) or {@code podman-compose} with a working engine; without one the
 * class is skipped with the reason, unless the environment variable {@code CI} is set, when it fails.
 * What compose printed, and the services' logs, are in {@code target/nova-compose-test-<hex>.log}.
 */
@ExtendWith(ComposeStackTest.ComposeTool.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ComposeStackTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path ALERT_RULES = ROOT.resolve("docker/prometheus/alerts.yml");
    private static final List<String> FILES = List.of("-f", "docker/compose.yaml", "-f", "docker/compose.test.yaml");
    private static final String GA102 = "0000:01:00.0";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Building both images is the long part: ~1 min for nova-host's, more when Maven must download. */
    private static final Duration BUILD_AND_START = Duration.ofMinutes(10);
    private static final Duration COME_UP = Duration.ofSeconds(120);
    /** The stack scrapes and evaluates every 5 s; increase() needs two scrapes after the first violation. */
    private static final Duration SCRAPE_AND_EVALUATE = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Compose compose;
    private HostClient host;
    private URI prometheus;

    @BeforeAll
    void upTheStack() throws Exception {
        int hostPort = freeLoopbackPort();
        int prometheusPort = freeLoopbackPort();
        var project = "nova-compose-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        compose = new Compose(Compose.installed(), project, Map.of(
                "NOVA_HOST_PORT", String.valueOf(hostPort), "PROMETHEUS_PORT", String.valueOf(prometheusPort),
                // podman build would write an OCI image, which drops the Dockerfile's HEALTHCHECK
                "BUILDAH_FORMAT", "docker"),
                Files.createDirectories(ROOT.resolve("target")).resolve(project + ".log"));
        host = new HostClient(URI.create("http://127.0.0.1:" + hostPort));
        prometheus = URI.create("http://127.0.0.1:" + prometheusPort);

        compose.run(BUILD_AND_START, "up", "-d", "--build", "nova-host", "prometheus");
        await("nova-host ready on port " + hostPort).atMost(COME_UP).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> host.get("/actuator/health/readiness").status() == 200);
        await("Prometheus ready on port " + prometheusPort).atMost(COME_UP).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> status(prometheus.resolve("/-/ready")) == 200);
    }

    @AfterAll
    void downWithItsVolumes() throws Exception {
        if (compose != null) {
            compose.down();
        }
    }

    @Test
    @Order(1)
    void prometheusScrapesNovaHostByItsServiceNameOverTheComposeNetwork() {
        await("the nova-host target up in /api/v1/targets").atMost(SCRAPE_AND_EVALUATE).untilAsserted(() -> {
            var targets = prometheusApi("/api/v1/targets").path("activeTargets");
            assertThat(targets).singleElement().satisfies(target -> {
                assertThat(target.path("scrapeUrl").asString()).isEqualTo("http://nova-host:8080/actuator/prometheus");
                assertThat(target.path("labels").path("job").asString()).isEqualTo("nova-host");
                assertThat(target.path("health").asString()).as("lastError: %s", target.path("lastError")).isEqualTo("up");
            });
        });
    }

    @Test
    @Order(2)
    void theAlertRulesOfAlertsYmlAreLoaded() throws Exception {
        var expected = alertsByGroup();
        await("the groups of alerts.yml in /api/v1/rules, evaluated").atMost(SCRAPE_AND_EVALUATE).untilAsserted(() -> {
            var groups = prometheusApi("/api/v1/rules").path("groups");
            var loaded = new LinkedHashMap<String, List<String>>();
            for (var group : groups) {
                assertThat(group.path("file").asString()).isEqualTo("/etc/prometheus/alerts.yml");
                var rules = new ArrayList<String>();
                for (var rule : group.path("rules")) {
                    assertThat(rule.path("health").asString()).as("%s: %s", rule.path("name"), rule.path("lastError"))
                            .isEqualTo("ok");
                    rules.add(rule.path("name").asString());
                }
                loaded.put(group.path("name").asString(), rules);
            }
            assertThat(loaded).isEqualTo(expected);
        });
    }

    @Test
    @Order(3)
    void aTimerThatRunsAfterRemoveMakesNovaLifecycleViolationPendingOrFiring() throws Exception {
        // The stack starts with the fleet of compose.yaml bound (NOVA_FLEET): GA102 is already on nova-core.
        host.makeTimerAfterRemove(GA102);

        // NovaLifecycleViolation has no `for:`, so it goes from inactive straight to firing; pending is
        // accepted too, so the test keeps holding if the rule ever gains a `for:`.
        await("NovaLifecycleViolation for timer_after_remove in /api/v1/alerts").atMost(SCRAPE_AND_EVALUATE).untilAsserted(() ->
                assertThat(prometheusApi("/api/v1/alerts").path("alerts"))
                        .filteredOn(alert -> alert.path("labels").path("alertname").asString().equals("NovaLifecycleViolation"))
                        .filteredOn(alert -> alert.path("labels").path("kind").asString().equals("timer_after_remove"))
                        .singleElement().satisfies(alert -> {
                            assertThat(alert.path("state").asString()).isIn("pending", "firing");
                            assertThat(alert.path("labels").path("instance").asString()).isEqualTo("nova-host:8080");
                            assertThat(alert.path("labels").path("policy").asString()).isEqualTo("fenced");
                        }));
    }

    // ---- Prometheus's HTTP API -------------------------------------------------------------------

    /** The {@code data} of a Prometheus API answer. */
    private JsonNode prometheusApi(String path) throws IOException, InterruptedException {
        var response = http.send(HttpRequest.newBuilder(prometheus.resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s answered %s", path, response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("data");
    }

    private int status(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** alerts.yml's alert names, by group, in file order. */
    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> alertsByGroup() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(ALERT_RULES));
        var groups = new LinkedHashMap<String, List<String>>();
        for (var group : (List<Map<String, Object>>) file.get("groups")) {
            groups.put(String.valueOf(group.get("name")), ((List<Map<String, Object>>) group.get("rules")).stream()
                    .map(rule -> String.valueOf(rule.get("alert"))).toList());
        }
        return groups;
    }

    private static int freeLoopbackPort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    // ---- the compose command ---------------------------------------------------------------------

    /**
     * Runs the class when a compose command answers; skips it with the reason when none does, except
     * when the environment variable CI is set: then it runs, and {@link #upTheStack} fails it.
     */
    static final class ComposeTool implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (Compose.Installed.COMMAND.isPresent()) {
                return ConditionEvaluationResult.enabled("compose: " + String.join(" ", Compose.Installed.COMMAND.get()));
            }
            if (ContainerEngine.inCi(System.getenv())) {
                return ConditionEvaluationResult.enabled("CI is set, so the compose test runs, and fails without compose");
            }
            return ConditionEvaluationResult.disabled(Compose.ABSENT);
        }
    }

    /**
     * One compose project: {@code command} is {@code docker compose} or {@code podman-compose}, run from
     * the repository root with the two files, the project name and {@code environment}; everything it
     * prints goes to {@code log}, which a failure shows.
     */
    private record Compose(List<String> command, String project, Map<String, String> environment, Path log) {

        private static final Duration PROBE = Duration.ofSeconds(20);
        private static final Duration DOWN = Duration.ofMinutes(2);

        /** The command, found once: {@link ComposeTool} asks first, then {@link #upTheStack}. */
        private static final class Installed {
            static final Optional<List<String>> COMMAND = find();
        }

        static final String ABSENT = "neither `docker compose` (v2) with a Docker engine nor podman-compose with podman "
                + "answers; scripts/container-engine.sh installs podman and podman-compose";

        static List<String> installed() {
            return Installed.COMMAND.orElseThrow(() -> new AssertionError("CI is set, so the compose test must run: " + ABSENT));
        }

        /** {@code docker compose} when it and its engine answer, else {@code podman-compose} when podman answers. */
        private static Optional<List<String>> find() {
            if (answers(List.of("docker", "compose", "version")) && answers(List.of("docker", "info"))) {
                return Optional.of(List.of("docker", "compose"));
            }
            if (answers(List.of("podman-compose", "version")) && answers(List.of("podman", "info"))) {
                return Optional.of(List.of("podman-compose"));
            }
            return Optional.empty();
        }

        void run(Duration atMost, String... arguments) throws IOException, InterruptedException {
            var line = line(arguments);
            var exit = execute(line, atMost);
            assertThat(exit).as("%s exited with %s, or did not end within %s; its output:%n%s",
                    String.join(" ", line), exit, atMost, tail()).contains(0);
        }

        /**
         * The services' logs into the log (for the failure that brought us here, if any), then
         * {@code down -v}, and the network podman-compose 1.0.3 leaves behind.
         */
        void down() throws IOException, InterruptedException {
            try {
                execute(line("logs", "nova-host", "prometheus"), DOWN);
                run(DOWN, "down", "-v");
            } finally {
                if (command.equals(List.of("podman-compose"))) {
                    execute(List.of("podman", "network", "rm", "-f", project + "_default"), DOWN);
                }
            }
        }

        private List<String> line(String... arguments) {
            var line = new ArrayList<>(command);
            line.addAll(List.of("-p", project));
            line.addAll(FILES);
            line.addAll(List.of(arguments));
            return line;
        }

        /** The exit code, or empty when the command was killed at {@code atMost}. */
        private Optional<Integer> execute(List<String> line, Duration atMost) throws IOException, InterruptedException {
            Files.writeString(log, "$ " + String.join(" ", line) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            var builder = new ProcessBuilder(line).directory(ROOT.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            var process = builder.start();
            if (process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                return Optional.of(process.exitValue());
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return Optional.empty();
        }

        private String tail() throws IOException {
            var lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }

        private static boolean answers(List<String> probe) {
            try {
                var process = new ProcessBuilder(probe).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!process.waitFor(PROBE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    return false;
                }
                return process.exitValue() == 0;
            } catch (IOException notInstalled) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
