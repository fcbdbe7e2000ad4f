package dev.novahost.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;

/**
 * docker/healthcheck.sh, the image's HEALTHCHECK, run against the live service: healthy while it is
 * ready, unhealthy while it refuses traffic (as during shutdown) and when nothing listens.
 */
class HealthcheckScriptTest extends LiveHostTest {

    private static final Path SCRIPT = Path.of("docker/healthcheck.sh");

    @Autowired
    ApplicationContext context;

    @Test
    void aReadyServiceIsHealthy() throws Exception {
        assertThat(healthcheck(port)).isZero();
    }

    @Test
    void aServiceThatRefusesTrafficIsUnhealthy() throws Exception {
        AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        try {
            assertThat(healthcheck(port)).isNotZero();
        } finally {
            AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
        }
        assertThat(healthcheck(port)).isZero();
    }

    @Test
    void nothingListeningIsUnhealthy() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        assertThat(healthcheck(closedPort)).isNotZero();
    }

    /** Runs the script as Docker does, with the container's PORT, and returns its exit code. */
    private static int healthcheck(int port) throws Exception {
        var builder = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
        builder.environment().put("PORT", Integer.toString(port));
        var process = builder.start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("healthcheck.sh finished: %s", output).isTrue();
        return process.exitValue();
    }
}
