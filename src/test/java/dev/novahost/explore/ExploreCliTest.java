package dev.novahost.explore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The explore command for scripts and CI: the exploration as JSON on stdout; exit 1 when a schedule
 * violates, 0 when none does, 2 for a bad command line, file or scenario, with the reason on stderr.
 */
class ExploreCliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    @Test
    void aTeardownThatViolatesUnderOnePolicyExitsOneAndPrintsTheExploration() {
        // policy words in any case, as the API and the scenario command take them
        int exit = run("timer-fires-after-unbind", "--policies", "revocable,FENCED", "--bound", "1", "--budget", "50");

        assertThat(exit).isEqualTo(1);
        var printed = stdout();
        assertThat(printed.get("bound").asInt()).isEqualTo(1);
        assertThat(printed.get("policies").get(0).get("policy").asString()).isEqualTo("revocable");
        assertThat(printed.get("policies").get(0).get("violating").asInt()).isZero();
        assertThat(printed.get("policies").get(1).get("violating").asInt()).isPositive();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void withAFormatTheExplorationPrintsAsATestReportAndTheExitCodeStays() {
        int exit = run("timer-fires-after-unbind", "--policies", "revocable,fenced", "--format", "ktap");

        assertThat(exit).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("KTAP version 1\n1..2\n")
                .contains("not ok 2 explore timer-fires-after-unbind under fenced");
        assertThat(run("timer-fires-after-unbind", "--format", "pdf")).isEqualTo(2);
    }

    @Test
    void allExploresEveryBuiltInRaceAndPrintsTheList() {
        int exit = run("all", "--bound", "0");

        assertThat(exit).isEqualTo(1);
        var printed = stdout();
        assertThat(printed.isArray()).isTrue();
        assertThat(printed.valueStream().map(e -> e.get("scenario").asString()).toList()).isEqualTo(Explorer.builtInRaces())
                .doesNotContain("devres-unwind-on-failed-probe").contains("iounmap-before-hrtimer-cancel");
    }

    @Test
    void aTeardownNoScheduleViolatesExitsZero() throws Exception {
        var file = write("clean.json", """
                {"name": "clean", "steps": [
                  {"op": "create-device", "chipset": "GA102", "address": "0000:01:00.0"},
                  {"op": "load"},
                  {"op": "arm-timer", "device": "0000:01:00.0", "mode": "oneshot", "delayNs": 1000000, "as": "t"},
                  {"op": "unbind", "device": "0000:01:00.0"}]}""");

        int exit = run(file.toString(), "--policies", "fenced");

        assertThat(exit).isZero();
        assertThat(stdout().get("policies").get(0).get("violating").asInt()).isZero();
    }

    @Test
    void aBadOptionNumberPolicyOrScenarioExitsTwoWithTheReason() throws Exception {
        var noTeardown = write("none.json", "{\"steps\": [{\"op\": \"create-device\", \"chipset\": \"GA102\"}]}");
        for (List<String> args : List.<List<String>>of(List.of("timer-fires-after-unbind", "--bound"), List.of("timer-fires-after-unbind", "--bound", "x"),
                List.of("timer-fires-after-unbind", "--bound", "9"), List.of("timer-fires-after-unbind", "--policies", "careful"),
                List.of("timer-fires-after-unbind", "--nope", "1"), List.of("no-such-scenario"), List.of(noTeardown.toString()),
                List.of())) {
            err.reset();
            assertThat(ExploreCli.run(args, new PrintStream(out), new PrintStream(err))).as(args.toString()).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).as(args.toString()).startsWith("explore: ").hasLineCount(1);
        }
    }

    private int run(String... args) {
        return ExploreCli.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private JsonNode stdout() {
        return JsonMapper.builder().build().readTree(out.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String json) throws Exception {
        var file = dir.resolve(name);
        Files.writeString(file, json);
        return file;
    }
}
