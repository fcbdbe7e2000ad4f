package dev.novahost.observability;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * For test classes that need a container engine: {@code @ExtendWith(ContainerEngine.class)}.
 *
 * <ul>
 *   <li>An engine answers (Docker, or podman's Docker API named by {@code DOCKER_HOST}): the tests run.
 *   <li>None answers on a developer machine: the class is skipped, with Testcontainers' reason.
 *   <li>None answers and the environment variable {@code CI} is set (to anything but empty or
 *       {@code false}; CI systems set {@code CI=true}): every test of the class fails, because CI must run
 *       the container tests, not skip them.
 * </ul>
 *
 * Testcontainers looks for the engine once per JVM; this only reads its answer. Replaces
 * {@code @Testcontainers(disabledWithoutDocker = true)}, which skips in CI too.
 */
public final class ContainerEngine implements ExecutionCondition, BeforeAllCallback {

    /** Why no engine answers, or empty when one does. Looked up on first use, once. */
    private static final class Lookup {
        static final Optional<String> ABSENCE = absence();

        private static Optional<String> absence() {
            try {
                DockerClientFactory.instance().client();
                return Optional.empty();
            } catch (RuntimeException noEngine) {
                return Optional.of(String.valueOf(noEngine.getMessage()));
            }
        }
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return decide(Lookup.ABSENCE, System.getenv());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        requireInCi(Lookup.ABSENCE, System.getenv());
    }

    /** Enabled when an engine answers or CI is set (then {@link #requireInCi} fails the class); else skipped. */
    static ConditionEvaluationResult decide(Optional<String> absence, Map<String, String> environment) {
        if (absence.isEmpty()) {
            return ConditionEvaluationResult.enabled("a container engine answers");
        }
        if (inCi(environment)) {
            return ConditionEvaluationResult.enabled("CI is set, so the container tests run and fail without an engine");
        }
        return ConditionEvaluationResult.disabled("no container engine answers (" + absence.get()
                + "); scripts/container-engine.sh prepares podman and prints the DOCKER_HOST to export");
    }

    static void requireInCi(Optional<String> absence, Map<String, String> environment) {
        if (absence.isPresent() && inCi(environment)) {
            throw new IllegalStateException("CI is set, so the container tests must run, but no container engine answers ("
                    + absence.get() + "). Run scripts/container-engine.sh and export the DOCKER_HOST it prints, "
                    + "with TESTCONTAINERS_RYUK_DISABLED=true; .ci/run does both");
        }
    }

    /** Whether CI is set: then the container and compose tests must run (ComposeStackTest asks too). */
    static boolean inCi(Map<String, String> environment) {
        var ci = environment.get("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }
}
