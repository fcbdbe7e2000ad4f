package dev.novahost.observability;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HealthCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Waits for a container to be ready by its image's own HEALTHCHECK, on any engine.
 *
 * <p>Docker runs the HEALTHCHECK itself and reports {@code healthy}; podman without systemd never
 * does (its timer is a systemd unit), so its health stays {@code starting}. This wait therefore reads
 * the container's {@code Healthcheck.Test} and runs that command inside it, as the engine's timer
 * would, and also takes the engine's own {@code healthy} when it reports one. It ends:
 * <ul>
 *   <li>ready, when the command exits 0 or the engine says {@code healthy};
 *   <li>failed at once, when the container exits (with its exit code and output) or the engine says
 *       {@code unhealthy};
 *   <li>failed at the moment Docker would call the container unhealthy: the start period plus
 *       {@code retries} intervals plus one timeout (48 s for nova-host's image).
 * </ul>
 * Each run of the command is bounded by the HEALTHCHECK's timeout. One instance per container.
 */
final class ImageHealthcheck extends AbstractWaitStrategy {

    private volatile Duration startToReady = Duration.ZERO;

    /** From the container's start (the engine's {@code StartedAt}) to the first passing check. */
    Duration startToReady() {
        return startToReady;
    }

    @Override
    protected void waitUntilReady() {
        DockerClient docker = DockerClientFactory.instance().client();
        String id = waitStrategyTarget.getContainerId();
        var container = docker.inspectContainerCmd(id).exec();
        var check = container.getConfig().getHealthcheck();
        var command = command(check);
        var timeout = nanos(check.getTimeout(), Duration.ofSeconds(30));
        var deadline = nanos(check.getStartPeriod(), Duration.ZERO)
                .plus(nanos(check.getInterval(), Duration.ofSeconds(30)).multipliedBy(retries(check)))
                .plus(timeout);
        var started = Instant.parse(container.getState().getStartedAt());

        await("the HEALTHCHECK " + command + " of " + id).atMost(deadline)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250))
                .until(() -> healthy(docker, id, command, timeout));
        startToReady = Duration.between(started, Instant.now());
    }

    private boolean healthy(DockerClient docker, String id, List<String> command, Duration timeout) throws InterruptedException {
        var state = docker.inspectContainerCmd(id).exec().getState();
        if (!Boolean.TRUE.equals(state.getRunning())) {
            throw new ContainerLaunchException("the container exited with code " + state.getExitCodeLong()
                    + " before its HEALTHCHECK passed; its output:\n" + waitStrategyTarget.getLogs());
        }
        var engineSays = state.getHealth() == null ? "" : String.valueOf(state.getHealth().getStatus());
        if (engineSays.equals("unhealthy")) {
            throw new ContainerLaunchException("the engine reports the container unhealthy; its output:\n"
                    + waitStrategyTarget.getLogs());
        }
        return engineSays.equals("healthy") || exitsZero(docker, id, command, timeout);
    }

    /** Runs the check inside the container, as its user, within the HEALTHCHECK's timeout. */
    private static boolean exitsZero(DockerClient docker, String id, List<String> command, Duration timeout)
            throws InterruptedException {
        var exec = docker.execCreateCmd(id).withCmd(command.toArray(String[]::new))
                .withAttachStdout(true).withAttachStderr(true).exec();
        try (var run = docker.execStartCmd(exec.getId()).exec(new ResultCallback.Adapter<Frame>())) {
            if (!run.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (java.io.IOException closing) {
            // the exec's stream is already finished; its exit code below is what counts
        }
        Long exitCode = docker.inspectExecCmd(exec.getId()).exec().getExitCodeLong();
        return exitCode != null && exitCode == 0;
    }

    /** The HEALTHCHECK's test as an exec command: {@code CMD args...} or {@code CMD-SHELL line}. */
    private static List<String> command(HealthCheck check) {
        var test = check == null ? null : check.getTest();
        if (test == null || test.isEmpty() || test.getFirst().equals("NONE")) {
            throw new ContainerLaunchException("the image has no HEALTHCHECK to wait for (Healthcheck.Test is "
                    + test + "); podman keeps it only in Docker-format images (--format docker or the Docker API)");
        }
        return switch (test.getFirst()) {
            case "CMD" -> test.subList(1, test.size());
            case "CMD-SHELL" -> List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size())));
            default -> test;
        };
    }

    private static Duration nanos(Long value, Duration absent) {
        return value == null || value <= 0 ? absent : Duration.ofNanos(value);
    }

    private static int retries(HealthCheck check) {
        return check.getRetries() == null || check.getRetries() <= 0 ? 3 : check.getRetries();
    }
}
