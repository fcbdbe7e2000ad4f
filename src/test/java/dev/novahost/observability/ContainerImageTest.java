package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse.ContainerState;
import com.github.dockerjava.api.model.Bind;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.images.builder.ImageFromDockerfile;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The image built from docker/Dockerfile, run by a real engine (Docker, or podman through its Docker
 * API: {@code .ci/run} prepares it). Given an operator token it comes up ready by its own HEALTHCHECK
 * ({@link ImageHealthcheck}), runs as the unprivileged user with its journal in the {@code /data}
 * volume, and answers the README's walk through; given no token it refuses to start and says why;
 * {@code docker stop} unbinds every device and exits within the grace period; {@code kill -9} loses
 * nothing acknowledged across a restart on the same volume. It prints the image size and the start to
 * ready time (recorded in README and docs/RELIABILITY.md).
 *
 * <p>The image is built once for the class through the Docker API (which keeps the HEALTHCHECK on
 * podman too). Every container and volume made here is removed here: CI runs without Ryuk. Every wait
 * has a deadline; the class takes about a minute here, 40 to 55 s of it the image build.
 */
@ExtendWith(ContainerEngine.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class ContainerImageTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final String GA102 = "0000:01:00.0";
    private static final String TU102 = "0000:02:00.0";
    private static final String OPERATOR_TOKEN = "container-test-operator";
    /** The Dockerfile's {@code useradd --uid 10001}. */
    private static final String NOVA_UID = "10001";
    private static final String UNBOUND_LINE = "nova-host: every device unbound; the journal keeps the state for the next start";
    /** {@code docker stop}'s default grace period before it sends SIGKILL. */
    private static final Duration DOCKER_STOP_GRACE = Duration.ofSeconds(10);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** {@code docker build -f docker/Dockerfile .}: the repo root as context, cut to what the build reads. */
    private static final ImageFromDockerfile IMAGE = image();

    private static GenericContainer<?> novaHost;

    private static ImageFromDockerfile image() {
        var image = new ImageFromDockerfile();
        for (var path : List.of("mvnw", ".mvn", "pom.xml", "openapi.yaml", "src", "docker")) {
            image.withFileFromPath(path, ROOT.resolve(path));
        }
        return image.withFileFromPath("Dockerfile", ROOT.resolve("docker/Dockerfile"));
    }

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
    static void buildTheImageAndStartIt() throws Exception {
        long building = System.nanoTime();
        var name = IMAGE.get(4, TimeUnit.MINUTES);
        var built = Duration.ofNanos(System.nanoTime() - building);
        var ready = new ImageHealthcheck();
        novaHost = container(ready, Optional.empty(), new ToStringConsumer());
        novaHost.start();
        long bytes = docker().inspectImageCmd(name).exec().getSize();
        System.out.printf("nova-host image: %.0f MB (%d bytes), built in %d s; start to ready by its HEALTHCHECK: %d ms%n",
                bytes / 1e6, bytes, built.toSeconds(), ready.startToReady().toMillis());
    }

    /** Without Ryuk nothing removes the built image at exit (its cached build layers stay for the next build). */
    @AfterAll
    static void removeTheContainerAndTheImage() throws Exception {
        if (novaHost != null) {
            novaHost.stop();
        }
        if (IMAGE.isDone()) {
            docker().removeImageCmd(IMAGE.get()).withForce(true).exec();
        }
    }

    @Test
    void theReadmeWalkThroughAnswersFromTheImage() throws Exception {
        var host = api(novaHost);

        host.post("/api/v1/devices", "{\"chipset\":\"GA102\"}").expect(201);
        host.post("/api/v1/modules/nova-core/load", "").expect(200);
        assertThat(host.get("/api/v1/devices/" + GA102 + "/mmio/0x0").expect(200).body())
                .contains("\"register\":\"NV_PMC_BOOT_0\"", "\"value\":\"0x172000a1\"");

        host.post("/api/v1/drivers/nova-core/unbind", "{\"device\":\"" + GA102 + "\"}").expect(200);
        assertThat(host.get("/api/v1/devices/" + GA102 + "/mmio/0x0").expect(410).body())
                .contains("\"errno\":\"ENODEV\"");
    }

    @Test
    void itRunsAsTheUnprivilegedUserAndJournalsToTheDataVolume() throws Exception {
        assertThat(novaHost.execInContainer("id", "-u").getStdout().strip()).isEqualTo(NOVA_UID);
        assertThat(novaHost.execInContainer("id", "-g").getStdout().strip()).isEqualTo(NOVA_UID);
        assertThat(docker().inspectContainerCmd(novaHost.getContainerId()).exec().getMounts())
                .as("/data is a volume, not the container's own layer")
                .anySatisfy(mount -> assertThat(mount.getDestination().getPath()).isEqualTo("/data"));
        assertThat(novaHost.execInContainer("ls", "/data").getStdout()).contains("journal.jsonl");
    }

    @Test
    void withoutATokenTheImageRefusesToStartAndSaysWhy() {
        var output = new ToStringConsumer();
        long starting = System.nanoTime();
        try (var tokenless = new GenericContainer<>(IMAGE).withExposedPorts(8080)
                .withLogConsumer(output).waitingFor(new ImageHealthcheck())) {
            assertThatThrownBy(tokenless::start).isNotNull();
        }
        // The HEALTHCHECK alone would give up after 48 s; the wait ends when the container exits.
        assertThat(Duration.ofNanos(System.nanoTime() - starting)).isLessThan(Duration.ofSeconds(40));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(output.toUtf8String()).contains("nova-host refuses to start without a token"));
    }

    @Test
    void dockerStopUnbindsEveryDeviceAndExitsWithinTheGracePeriod() throws Exception {
        var output = new ToStringConsumer();
        try (var host = container(new ImageHealthcheck(), Optional.empty(), output)) {
            host.start();
            var api = api(host);
            api.post("/api/v1/devices", "{\"chipset\":\"GA102\"}").expect(201);
            api.post("/api/v1/modules/nova-core/load", "").expect(200);
            assertThat(api.get("/api/v1/devices/" + GA102).expect(200).body()).contains("\"driver\":\"nova-core\"");

            long stopping = System.nanoTime();
            // docker stop --time 30: SIGTERM, and SIGKILL only if still running 30 s later.
            docker().stopContainerCmd(host.getContainerId()).withTimeout(30).exec();
            var stopped = Duration.ofNanos(System.nanoTime() - stopping);

            var state = stateOf(host);
            assertThat(state.getRunning()).isFalse();
            // 143 = 128 + SIGTERM (15): the JVM ran its shutdown hooks (Spring's graceful shutdown, which
            // unbinds every device) and then ends with the signal's status, as any JVM stopped by SIGTERM
            // does. A container the engine had to SIGKILL at the end of the grace period would show 137.
            assertThat(state.getExitCodeLong()).isEqualTo(143L);
            assertThat(stopped).as("within docker stop's default grace period").isLessThan(DOCKER_STOP_GRACE);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(output.toUtf8String()).contains(UNBOUND_LINE));
            System.out.printf("nova-host container: docker stop (SIGTERM) with a bound GPU took %d ms, exit code %d%n",
                    stopped.toMillis(), state.getExitCodeLong());
        }
    }

    @Test
    void killDashNineKeepsEveryAcknowledgedChangeOnTheVolume() throws Exception {
        var volume = "nova-host-test-" + UUID.randomUUID();
        docker().createVolumeCmd().withName(volume).exec();
        try {
            JsonNode acknowledged;
            try (var first = container(new ImageHealthcheck(), Optional.of(volume), new ToStringConsumer())) {
                first.start();
                var api = api(first);
                api.post("/api/v1/devices", "{\"chipset\":\"GA102\"}").expect(201);
                api.post("/api/v1/modules/nova-core/load", "").expect(200);
                api.put("/api/v1/drivers/nova-core/policy", "{\"policy\":\"fenced\"}").expect(200);
                api.post("/api/v1/devices", "{\"chipset\":\"TU102\",\"address\":\"" + TU102 + "\"}").expect(201);
                api.put("/api/v1/drivers/nova-core/faults", "{\"forgetTimerCancel\":true}").expect(200);
                api.post("/api/v1/drivers/nova-core/unbind", "{\"device\":\"" + GA102 + "\"}").expect(200);
                acknowledged = hostState(api);
                assertThat(acknowledged.toString()).contains("fenced", "\"forgetTimerCancel\":true");

                docker().killContainerCmd(first.getContainerId()).withSignal("KILL").exec();
                await().atMost(Duration.ofSeconds(10)).until(() -> !Boolean.TRUE.equals(stateOf(first).getRunning()));
                assertThat(stateOf(first).getExitCodeLong()).as("128 + SIGKILL (9)").isEqualTo(137L);
            }
            var ready = new ImageHealthcheck();
            try (var second = container(ready, Optional.of(volume), new ToStringConsumer())) {
                second.start();
                var api = api(second);
                assertThat(hostState(api)).isEqualTo(acknowledged);
                assertThat(api.get("/api/v1/events?limit=1000").expect(200).body()).contains("journal.replayed");
                assertThat(api.get("/api/v1/violations").expect(200).body()).as("replay re-probes cleanly").isEqualTo("[]");
                System.out.printf("nova-host container: after kill -9, a new container on the same volume was ready "
                        + "in %d ms with every acknowledged change (%s)%n", ready.startToReady().toMillis(), acknowledged);
            }
        } finally {
            docker().removeVolumeCmd(volume).exec();
        }
    }

    /** What a client was told: the devices (binding, policy), nova-core's policy and its fault flags. */
    private static JsonNode hostState(HostClient api) throws Exception {
        var state = JSON.createObjectNode();
        state.set("devices", JSON.readTree(api.get("/api/v1/devices").expect(200).body()));
        state.set("policy", JSON.readTree(api.get("/api/v1/drivers/nova-core/policy").expect(200).body()));
        state.set("faults", JSON.readTree(api.get("/api/v1/drivers/nova-core/faults").expect(200).body()));
        return state;
    }

    /** nova-host with an operator token, its output captured from before {@code start()}, ready by its HEALTHCHECK. */
    private static GenericContainer<?> container(ImageHealthcheck ready, Optional<String> dataVolume, ToStringConsumer output) {
        var container = new GenericContainer<>(IMAGE)
                .withEnv("NOVA_OPERATOR_TOKEN", OPERATOR_TOKEN)
                .withExposedPorts(8080)
                .withLogConsumer(output)
                .waitingFor(ready);
        dataVolume.ifPresent(volume -> container.withCreateContainerCmdModifier(create ->
                create.getHostConfig().withBinds(Bind.parse(volume + ":/data"))));
        return container;
    }

    private static HostClient api(GenericContainer<?> container) {
        return new HostClient(URI.create("http://" + container.getHost() + ":" + container.getMappedPort(8080)),
                Optional.of(OPERATOR_TOKEN));
    }

    private static ContainerState stateOf(GenericContainer<?> container) {
        return docker().inspectContainerCmd(container.getContainerId()).exec().getState();
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }
}
