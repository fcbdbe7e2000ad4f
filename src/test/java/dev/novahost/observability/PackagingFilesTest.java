package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * docker/ read as files: the Dockerfile's promises (non-root, health check, data volume) and a
 * compose stack whose every reference (build context, mounted file, service name, datasource uid)
 * points at something that exists. A cheap guard for machines where no engine can build the image.
 */
class PackagingFilesTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path DOCKER = ROOT.resolve("docker");

    /** One Dockerfile instruction, continuation lines joined: {@code COPY}, {@code "--from=build /x/ ./"}. */
    record Instruction(String keyword, String arguments) {
    }

    @Test
    void theImageRunsAsAnUnprivilegedUserWithAHealthCheckAndADataVolume() throws IOException {
        var run = stages().getLast();

        assertThat(argumentsOf(run, "FROM")).containsExactly("eclipse-temurin:25-jre");
        assertThat(argumentsOf(run, "USER")).last().satisfies(user ->
                assertThat(user.split(":")[0]).isNotIn("root", "0"));
        assertThat(argumentsOf(run, "HEALTHCHECK")).singleElement().asString()
                .contains("/app/healthcheck.sh", "--interval", "--timeout");
        assertThat(argumentsOf(run, "COPY")).contains("docker/healthcheck.sh /app/healthcheck.sh");
        assertThat(argumentsOf(run, "VOLUME")).singleElement().asString().contains("\"/data\"");
        assertThat(argumentsOf(run, "ENV")).anySatisfy(env -> assertThat(env).contains("NOVA_DATA_DIR=/data"))
                .as("a container serves every address, so it must refuse to start without a token")
                .anySatisfy(env -> assertThat(env).contains("NOVA_REQUIRE_TOKEN=true"));
        assertThat(argumentsOf(run, "EXPOSE")).containsExactly("8080");
        assertThat(argumentsOf(run, "ENTRYPOINT")).singleElement().asString()
                .as("exec form, so java is PID 1 and gets SIGTERM").startsWith("[\"java\"")
                .as("the AOT cache and Spring's AOT mode, as AotModeTest and the training run use them")
                .contains("-XX:AOTCache=/app/app.aot", "-Dspring.aot.enabled=true");
        assertThat(argumentsOf(run, "RUN")).anySatisfy(training ->
                assertThat(training).contains("-XX:AOTCacheOutput=/app/app.aot", "-Dspring.aot.enabled=true"));
    }

    @Test
    void theBuildStageBuildsTheJarWithTheWrapperOnAJdk25() throws IOException {
        var build = stages().getFirst();

        assertThat(argumentsOf(build, "FROM")).containsExactly("eclipse-temurin:25-jdk AS build");
        assertThat(argumentsOf(build, "RUN")).anySatisfy(run ->
                assertThat(run).contains("./mvnw", "-DskipTests", "package", "-Djarmode=tools", "extract --layers"));
    }

    @Test
    void everyFileTheDockerfileCopiesIsInTheBuildContext() throws IOException {
        var copied = stages().stream().flatMap(List::stream)
                .filter(instruction -> instruction.keyword().equals("COPY") && !instruction.arguments().startsWith("--from"))
                .flatMap(copy -> {
                    var words = copy.arguments().split("\\s+");
                    return Arrays.stream(words, 0, words.length - 1);
                })
                .toList();

        assertThat(copied).contains("mvnw", "pom.xml", ".mvn/", "src/", "openapi.yaml")
                .allSatisfy(source -> assertThat(ROOT.resolve(source)).exists());
    }

    @Test
    void composeBuildsThisDockerfileAndMountsOnlyFilesThatExist() throws IOException {
        var novaHost = service("nova-host");
        var build = map(novaHost.get("build"));

        assertThat(DOCKER.resolve(String.valueOf(build.get("context"))).normalize()).isEqualTo(ROOT);
        assertThat(ROOT.resolve(String.valueOf(build.get("dockerfile")))).isEqualTo(DOCKER.resolve("Dockerfile"));
        assertThat(map(novaHost.get("environment"))).containsEntry("NOVA_LOAD_NOVA_CORE", "true")
                .containsEntry("NOVA_AUTH", "none")
                .as("Prometheus scrapes nova-host:8080, a name a host without a token must be told to answer to")
                .containsEntry("NOVA_ALLOWED_HOSTS", "nova-host");
        assertThat(volumesOf(novaHost)).contains("nova-data:/data");
        for (var name : services().keySet()) {
            List<String> ports = list(service(name).get("ports"));
            assertThat(ports).as("%s is published on the host's loopback only: the stack runs without tokens", name)
                    .allSatisfy(port -> assertThat(port).startsWith("127.0.0.1:"))
                    .as("%s's host port is a variable with a default, so a second stack (ComposeStackTest's) can move it", name)
                    .allSatisfy(port -> assertThat(port).matches("127\\.0\\.0\\.1:\\$\\{[A-Z_]+_PORT:-\\d+}:\\d+"));
            assertThat(volumesOf(service(name))).filteredOn(volume -> volume.startsWith("."))
                    .allSatisfy(volume -> assertThat(DOCKER.resolve(volume.split(":")[0])).exists());
        }
    }

    @Test
    void theTestOverrideOnlySwapsPrometheusForOneBuiltFromDebiansPackage() throws IOException {
        Map<String, Object> override = new Yaml().load(Files.readString(DOCKER.resolve("compose.test.yaml")));
        var services = map(override.get("services"));
        assertThat(services).containsOnlyKeys("prometheus");
        var prometheus = map(services.get("prometheus"));
        assertThat(prometheus).as("an override's lists (ports, command, volumes) are added to compose.yaml's, not put in their place")
                .containsOnlyKeys("image", "build");

        var context = DOCKER.resolve(String.valueOf(map(prometheus.get("build")).get("context")));
        assertThat(Files.readString(context.resolve("Dockerfile")))
                .contains("FROM debian:bookworm", "--no-install-recommends prometheus", "USER nobody",
                        "ENTRYPOINT [\"/usr/bin/prometheus\"]");
    }

    @Test
    void prometheusScrapesNovaHostAndLoadsTheAlertRules() throws IOException {
        var prometheus = service("prometheus");
        List<String> command = list(prometheus.get("command"));
        var configFlag = command.stream()
                .filter(flag -> flag.startsWith("--config.file=")).findFirst().orElseThrow();
        var config = hostPath(prometheus, configFlag.substring("--config.file=".length())).orElseThrow();
        assertThat(config).isEqualTo(DOCKER.resolve("prometheus/prometheus.yml"));

        Map<String, Object> settings = new Yaml().load(Files.readString(config));
        List<String> ruleFiles = list(settings.get("rule_files"));
        assertThat(ruleFiles)
                .allSatisfy(rules -> assertThat(config.resolveSibling(rules)).exists())
                .contains("alerts.yml");
        var job = map(list(settings.get("scrape_configs")).getFirst());
        assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
        List<String> targets = list(map(list(job.get("static_configs")).getFirst()).get("targets"));
        assertThat(targets).containsExactly("nova-host:8080");
        assertThat(services()).containsKey(targets.getFirst().split(":")[0]);
    }

    @Test
    void grafanaOpensOnTheDashboardForAnonymousViewersWithTheDatasourceItUses() throws IOException {
        var grafana = service("grafana");
        var environment = map(grafana.get("environment"));
        assertThat(environment).containsEntry("GF_AUTH_ANONYMOUS_ENABLED", "true")
                .containsEntry("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer");
        var home = hostPath(grafana, String.valueOf(environment.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")));
        assertThat(home).contains(DOCKER.resolve("grafana/dashboards/nova-host.json"));

        var provisioning = hostPath(grafana, "/etc/grafana/provisioning").orElseThrow();
        Map<String, Object> datasources = new Yaml().load(Files.readString(provisioning.resolve("datasources/prometheus.yaml")));
        var datasource = map(list(datasources.get("datasources")).getFirst());
        var url = URI.create(String.valueOf(datasource.get("url")));
        assertThat(services()).containsKey(url.getHost());
        assertThat(url.getPort()).isEqualTo(9090);

        Map<String, Object> providers = new Yaml().load(Files.readString(provisioning.resolve("dashboards/nova-host.yaml")));
        var dashboards = String.valueOf(map(map(list(providers.get("providers")).getFirst()).get("options")).get("path"));
        assertThat(hostPath(grafana, dashboards).orElseThrow().resolve("nova-host.json")).exists();

        var dashboard = JsonMapper.builder().build().readTree(Files.readString(DOCKER.resolve("grafana/dashboards/nova-host.json")));
        assertThat(dashboard.findValues("datasource")).extracting(ds -> ds.path("uid").asString())
                .filteredOn(uid -> !uid.equals("-- Grafana --"))
                .isNotEmpty()
                .containsOnly(String.valueOf(datasource.get("uid")));
    }

    // ---- the Dockerfile --------------------------------------------------------------------------

    /** The Dockerfile's instructions, one list per stage. */
    private static List<List<Instruction>> stages() throws IOException {
        var joined = Files.readString(DOCKER.resolve("Dockerfile")).replaceAll("\\\\\\r?\\n", " ");
        var stages = new ArrayList<List<Instruction>>();
        for (var line : joined.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
            var parts = line.split("\\s+", 2);
            var instruction = new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].strip() : "");
            if (instruction.keyword().equals("FROM")) {
                stages.add(new ArrayList<>());
            }
            stages.getLast().add(instruction);
        }
        return stages;
    }

    private static List<String> argumentsOf(List<Instruction> stage, String keyword) {
        return stage.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    // ---- compose.yaml ----------------------------------------------------------------------------

    private static Map<String, Object> services() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
        return map(compose.get("services"));
    }

    private static Map<String, Object> service(String name) throws IOException {
        assertThat(services()).containsKey(name);
        return map(services().get(name));
    }

    private static List<String> volumesOf(Map<String, Object> service) {
        return service.containsKey("volumes") ? list(service.get("volumes")) : List.of();
    }

    /** Where a path inside a service's container comes from on the host, through its bind mounts. */
    private static Optional<Path> hostPath(Map<String, Object> service, String containerPath) {
        for (var volume : volumesOf(service)) {
            var parts = volume.split(":");
            var target = parts[1];
            if (parts[0].startsWith(".") && (containerPath.equals(target) || containerPath.startsWith(target + "/"))) {
                var rest = containerPath.substring(target.length()).replaceFirst("^/", "");
                return Optional.of(DOCKER.resolve(parts[0]).resolve(rest).normalize());
            }
        }
        return Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object yaml) {
        assertThat(yaml).isInstanceOf(Map.class);
        return (Map<String, Object>) yaml;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object yaml) {
        assertThat(yaml).isInstanceOf(List.class);
        return (List<T>) yaml;
    }
}
