package dev.novahost.scenario;

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

/**
 * The scenario command for scripts and CI: the result as JSON on stdout; exit 0 when every expectation
 * held, 1 when one did not, 2 when the scenario or the command line is bad (with the reason on stderr).
 */
class ScenarioCliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    @Test
    void aBuiltInUnderBothPoliciesPrintsTheComparisonAndExitsZero() {
        int exit = run("timer-fires-after-unbind", "--policies", "revocable,fenced");

        assertThat(exit).isZero();
        var printed = stdout();
        assertThat(printed.get("violations").get("revocable").get("timer_free_active/prevented").asLong()).isEqualTo(1);
        assertThat(printed.get("violations").get("fenced").get("timer_after_remove/occurred").asLong()).isEqualTo(1);
        assertThat(printed.get("runs").propertyNames()).containsExactly("revocable", "fenced");
        assertThat(printed.get("runs").get("fenced").get("digest").asString()).matches("[0-9a-f]{64}");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aFileWithoutPoliciesPrintsOneResult() throws Exception {
        var file = write("ok.json", "{'name':'ok','steps':[{'op':'create-device','chipset':'TU102'},{'op':'expect','none':true}]}");

        int exit = run(file.toString());

        assertThat(exit).isZero();
        assertThat(stdout().get("scenario").asString()).isEqualTo("ok");
        assertThat(stdout().get("policy").asString()).isEqualTo("revocable");
        assertThat(stdout().get("passed").asBoolean()).isTrue();
    }

    @Test
    void aFailedExpectationExitsOneAndStillPrintsTheResult() throws Exception {
        var file = write("fails.json", """
                {'name':'fails','steps':[
                  {'op':'create-device','chipset':'GA102','address':'0000:01:00.0'},
                  {'op':'read-mmio','device':'0000:01:00.0','offset':'0x0','expect':{'value':'0x172000a1'}}]}""");

        int exit = run(file.toString(), "--policies", "fenced");

        assertThat(exit).isEqualTo(1);
        var fenced = stdout().get("runs").get("fenced");
        assertThat(fenced.get("passed").asBoolean()).isFalse();
        assertThat(fenced.get("steps").get(1).get("expectation").asString()).isEqualTo("failed: unexpected ENODEV");
    }

    @Test
    void aBadScenarioExitsTwoNamingTheStep() throws Exception {
        var file = write("bad.json", "{'steps':[{'op':'load'},{'op':'unbind'}]}");

        int exit = run(file.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(out.size()).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("step 1: unbind needs 'device'");
    }

    @Test
    void aBadCommandLineExitsTwo() throws Exception {
        assertThat(run()).isEqualTo(2);
        assertThat(run("no-such-scenario.json")).isEqualTo(2);
        assertThat(run("timer-fires-after-unbind", "--policies", "careful")).isEqualTo(2);
        assertThat(run("timer-fires-after-unbind", "--policies")).isEqualTo(2);
        assertThat(run("timer-fires-after-unbind", "--verbose")).isEqualTo(2);
        assertThat(run(write("not.json", "{'steps':").toString())).isEqualTo(2);
        assertThat(out.size()).as("nothing on stdout when the command is bad").isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: scenario FILE|NAME")
                .contains("neither a built-in scenario nor a file").contains("'careful' is not a policy")
                .contains("not valid JSON");
    }

    private int run(String... args) {
        return ScenarioCli.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private JsonNode stdout() {
        return Scenario.JSON.readTree(out.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String json) throws Exception {
        return Files.writeString(dir.resolve(name), json.replace('\'', '"'));
    }
}
