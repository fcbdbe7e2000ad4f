package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Same scenario and seed, same bytes: every built-in run twice under each policy serialises to the same
 * JSON with the same digest, the interleaving scenarios do so run after run, and a fresh JVM (a restart,
 * here on one CPU so its threads interleave differently) prints exactly what this one prints.
 */
class ScenarioDeterminismTest {

    private final ScenarioRunner runner = new ScenarioRunner();

    static List<String> builtIns() {
        return Scenarios.BUILT_IN;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtIns")
    void twoRunsAreByteIdentical(String name) {
        var scenario = Scenarios.named(name).orElseThrow();
        for (Policy policy : Policy.values()) {
            var first = runner.run(scenario, Optional.of(policy));
            var second = runner.run(scenario, Optional.of(policy));

            assertThat(json(second)).as("%s under %s", name, policy).isEqualTo(json(first));
            assertThat(second.digest()).matches("[0-9a-f]{64}").isEqualTo(first.digest());
        }
    }

    @Test
    void theDigestCoversTheWholeResultButItself() {
        var run = runner.run(Scenarios.named("timer-fires-after-unbind").orElseThrow(), Optional.of(Policy.FENCED));
        var other = runner.run(Scenarios.named("timer-fires-after-unbind").orElseThrow(), Optional.of(Policy.REVOCABLE));

        assertThat(run.digest()).isNotEqualTo(other.digest());
        assertThat(run.withDigest("").withDigest(run.digest())).isEqualTo(run);
    }

    /**
     * The races whose order the runner fixes with a held callback, a blocked unbind and a parked CPU:
     * 50 runs each, one digest. Before the CPU was parked after finish-callback, the work the timer
     * callback queued could run before, during or after the unbind it let go.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("interleavings")
    void interleavingsReplayTheSameWayEveryTime(String name) {
        var scenario = Scenarios.named(name).orElseThrow();
        for (Policy policy : Policy.values()) {
            var digest = runner.run(scenario, Optional.of(policy)).digest();
            for (int i = 0; i < 50; i++) {
                assertThat(runner.run(scenario, Optional.of(policy)).digest()).as("%s under %s, run %d", name, policy, i)
                        .isEqualTo(digest);
            }
        }
    }

    static List<String> interleavings() {
        return List.of("hrtimer-dropped-with-device-data", "work-self-requeues-across-remove",
                "timer-requeues-cancelled-work", "module-unloaded-while-callback-pending");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aRestartedJvmPrintsTheSameBytes(@TempDir Path out) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var child = new ProcessBuilder(java, "-XX:ActiveProcessorCount=1", "-cp", System.getProperty("java.class.path"),
                RestartedJvm.class.getName(), out.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.resolve("child.log").toFile())
                .start();
        assertThat(child.waitFor(100, TimeUnit.SECONDS)).as("the child JVM finished").isTrue();
        assertThat(child.exitValue()).as("child exit code; its log: %s", Files.readString(out.resolve("child.log")))
                .isZero();

        for (String name : Scenarios.BUILT_IN) {
            var here = new ByteArrayOutputStream();
            assertThat(ScenarioCli.run(List.of(name, "--policies", "revocable,fenced"), print(here), System.err)).isZero();
            assertThat(Files.readString(out.resolve(name + ".json")))
                    .as("%s printed by a restarted JVM", name).isEqualTo(here.toString(StandardCharsets.UTF_8));
        }
    }

    /** The child JVM: prints every built-in under both policies with the scenario command, one file each. */
    static final class RestartedJvm {

        public static void main(String[] args) throws Exception {
            for (String name : Scenarios.BUILT_IN) {
                var bytes = new ByteArrayOutputStream();
                int exit = ScenarioCli.run(List.of(name, "--policies", "revocable,fenced"), print(bytes), System.err);
                if (exit != 0) {
                    System.exit(exit);
                }
                Files.write(Path.of(args[0], name + ".json"), bytes.toByteArray());
            }
        }
    }

    static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    static String json(Object value) {
        return Scenario.JSON.writeValueAsString(value);
    }
}
