package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The scenario command for scripts and CI: the result as JSON on stdout; exit 0 when every expectation
 * held, 1 when one did not, 2 when the scenario, the file or the command line is bad, 3 over a budget,
 * 4 out of memory (with the reason on stderr).
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

    /** Item 16 of issue 13: a FIFO is refused from its attributes, never opened, so the command cannot hang on it. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        var fifo = dir.resolve("scenario.fifo");
        var mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo is available");

        int exit = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> run(fifo.toString()));

        assertThat(exit).isEqualTo(2);
        assertThat(out.size()).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not a regular file (a FIFO, a socket or a device)")
                .hasLineCount(1);
    }

    @Test
    void aDirectoryOrADeviceIsRefused() {
        assertThat(run(dir.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is a directory");
        if (Files.exists(Path.of("/dev/zero"))) {
            err.reset();
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), () -> run("/dev/zero"))).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a regular file");
        }
    }

    @Test
    void aFileOverTheSizeCapIsRefusedUnread() throws Exception {
        var big = dir.resolve("big.json");
        try (var file = java.nio.channels.FileChannel.open(big, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            file.write(java.nio.ByteBuffer.wrap(new byte[] {'{'}), ScenarioCli.MAX_FILE_BYTES); // sparse: one byte past the cap
        }

        assertThat(run(big.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("has " + (ScenarioCli.MAX_FILE_BYTES + 1) + " bytes")
                .contains("at most " + ScenarioCli.MAX_FILE_BYTES);
    }

    /** Over a budget: its own exit code, 3, and one line that names the budget; nothing on stdout. */
    @Test
    void aRunOverItsBudgetExitsThreeNamingIt() throws Exception {
        var file = write("endless.json", """
                {'name':'endless','steps':[
                  {'op':'create-device','chipset':'GA102','address':'0000:01:00.0'},
                  {'op':'load'},
                  {'op':'arm-timer','device':'0000:01:00.0','mode':'periodic','delayNs':0,'periodNs':10000},
                  {'op':'advance','ns':1000000000000000000}]}""");

        int exit = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run(file.toString(), "--budget", "events=1000"));

        assertThat(exit).isEqualTo(3);
        assertThat(out.size()).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("events budget of 1000").contains("(exit 3)")
                .hasLineCount(1);
    }

    @Test
    void theDefaultBudgetIsTheServersAndStopsTheEndlessRunToo() throws Exception {
        var file = write("endless.json", """
                {'steps':[{'op':'create-device','chipset':'GA102','address':'0000:01:00.0'},{'op':'load'},
                  {'op':'arm-timer','device':'0000:01:00.0','mode':'periodic','delayNs':0,'periodNs':10000},
                  {'op':'advance','ns':1000000000000000000}]}""");

        int exit = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run(file.toString(), "--policies", "fenced,revocable"));

        assertThat(exit).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("events budget of " + ScenarioBudget.DEFAULTS.maxEvents());
    }

    @Test
    void aBadBudgetIsABadCommandLine() {
        assertThat(run("timer-fires-after-unbind", "--budget", "patience=5")).isEqualTo(2);
        assertThat(run("timer-fires-after-unbind", "--budget", "events=many")).isEqualTo(2);
        assertThat(run("timer-fires-after-unbind", "--budget", "events=99999999999")).isEqualTo(2);
        assertThat(run("timer-fires-after-unbind", "--budget")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'patience' is not a budget")
                .contains("a whole number").contains("the events budget must be between");
    }

    @Test
    void theUsageNamesEveryExitCode() {
        assertThat(run()).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8)).contains("0 every expectation held")
                .contains("1 an expectation failed").contains("2 the command line, the file or the scenario is bad")
                .contains("3 the run went over a budget").contains("4 the run ran out of memory")
                .contains("--budget KIND=VALUE").contains("events (default 100000 events)");
    }

    /** Out of memory is not "an expectation failed": exit 4 and one line, in a JVM with a heap too small for the run. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void runningOutOfMemoryExitsFour() throws Exception {
        var file = write("big.json", """
                {'steps':[{'op':'create-device','chipset':'GA102','address':'0000:01:00.0'},{'op':'load'},
                  {'op':'arm-timer','device':'0000:01:00.0','mode':'periodic','delayNs':0,'periodNs':10000},
                  {'op':'advance','ns':1000000000000000000}]}""");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var process = new ProcessBuilder(java, "-Xmx24m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "dev.novahost.NovaHostApplication", "scenario", file.toString(),
                "--budget", "events=10000000", "--budget", "wall-time=60000")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(false).start();
        var stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the command ended").isTrue();
        assertThat(process.exitValue()).as("stderr: %s", stderr).isEqualTo(4);
        assertThat(stderr).contains("the run ran out of memory (exit 4)");
    }

    @Test
    void sweepPrintsATableOfEveryStepUnderBothPoliciesAndExitsZero() {
        int exit = run("sweep");

        assertThat(exit).isZero();
        var printed = out.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertThat(printed).startsWith("sweep: bind of nova-core with a GA102")
                .containsPattern("revocable +\\d+  pci_iomap +ENOMEM +pass  errno, devres-reverse, no-leak, unbound, rebind")
                .containsPattern("fenced +\\d+  \\(none: bound\\) +- +pass  bound")
                .contains("passed: all ").doesNotContain("FAIL");
    }

    @Test
    void sweepOfOnePolicyAndABadChipsetOrOption() {
        assertThat(run("sweep", "--chipset", "TU102", "--policies", "fenced")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("with a TU102").doesNotContain("revocable");
        assertThat(run("sweep", "--operation", "load", "--policies", "revocable")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("sweep: load of nova-core with a GA102");
        assertThat(run("sweep", "--chipset", "GX9000")).isEqualTo(2);
        assertThat(run("sweep", "--operation", "insmod")).isEqualTo(2);
        assertThat(run("sweep", "--policies")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("GX9000").contains("insmod").contains("--policies needs a value");
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
