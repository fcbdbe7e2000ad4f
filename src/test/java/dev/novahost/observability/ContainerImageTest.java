package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The image built from docker/Dockerfile: given an operator token it comes up healthy by its own
 * HEALTHCHECK and the README's walk through answers as from {@code ./mvnw spring-boot:run}; given no
 * token it refuses to start. Needs a container engine; without one (as in the sandbox CI runs in) it
 * is skipped, and says why ("disabledWithoutDocker is true and Docker is not available").
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerImageTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final String GA102 = "0000:01:00.0";
    private static final String OPERATOR_TOKEN = "container-test-operator";

    /** {@code docker build -f docker/Dockerfile .}: the repo root as context, cut to what the build reads. */
    private static final ImageFromDockerfile IMAGE = image();

    @Container
    private static final GenericContainer<?> NOVA_HOST = new GenericContainer<>(IMAGE)
            .withEnv("NOVA_OPERATOR_TOKEN", OPERATOR_TOKEN)
            .withExposedPorts(8080)
            .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(3)));

    private static ImageFromDockerfile image() {
        var image = new ImageFromDockerfile();
        for (var path : List.of("mvnw", ".mvn", "pom.xml", "openapi.yaml", "src", "docker")) {
            image.withFileFromPath(path, ROOT.resolve(path));
        }
        return image.withFileFromPath("Dockerfile", ROOT.resolve("docker/Dockerfile"));
    }

    @Test
    void theReadmeWalkThroughAnswersFromTheImage() throws Exception {
        var host = new HostClient(URI.create("http://" + NOVA_HOST.getHost() + ":" + NOVA_HOST.getMappedPort(8080)),
                Optional.of(OPERATOR_TOKEN));

        host.post("/api/v1/devices", "{\"chipset\":\"GA102\"}").expect(201);
        host.post("/api/v1/modules/nova-core/load", "").expect(200);
        assertThat(host.get("/api/v1/devices/" + GA102 + "/mmio/0x0").expect(200).body())
                .contains("\"register\":\"NV_PMC_BOOT_0\"", "\"value\":\"0x172000a1\"");

        host.post("/api/v1/drivers/nova-core/unbind", "{\"device\":\"" + GA102 + "\"}").expect(200);
        assertThat(host.get("/api/v1/devices/" + GA102 + "/mmio/0x0").expect(410).body())
                .contains("\"errno\":\"ENODEV\"");
    }

    @Test
    void itRunsUnprivilegedAndJournalsToTheDataVolume() throws Exception {
        assertThat(NOVA_HOST.execInContainer("id", "-u").getStdout().strip()).isNotEqualTo("0");
        assertThat(NOVA_HOST.execInContainer("ls", "/data").getStdout()).contains("journal.jsonl");
    }

    @Test
    void withoutATokenTheImageRefusesToStart() {
        try (var tokenless = new GenericContainer<>(IMAGE).withExposedPorts(8080)
                .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofSeconds(60)))) {
            assertThatThrownBy(tokenless::start).isNotNull();
            assertThat(tokenless.getLogs()).contains("refuses to start without a token");
        }
    }
}
