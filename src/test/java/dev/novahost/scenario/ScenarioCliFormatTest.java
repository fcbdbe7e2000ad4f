package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import dev.novahost.report.JunitXmlReader;
import dev.novahost.report.KtapChecker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --format junit|ktap} for CI: the scenario command and the sweep print a test report instead of
 * JSON or the table, with the same exit codes (0 passed, 1 failed, 2 a bad format, and nothing on stdout).
 */
class ScenarioCliFormatTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    @Test
    void aComparisonAsJunitIsATestcasePerPolicyAndExitsZero() throws Exception {
        int exit = run("timer-fires-after-unbind", "--policies", "revocable,fenced", "--format", "junit");

        assertThat(exit).isZero();
        var xml = JunitXmlReader.parsedWithCountsAgreeing(stdout()).getDocumentElement();
        assertThat(xml.getAttribute("tests")).isEqualTo("2");
        assertThat(xml.getAttribute("failures")).isEqualTo("0");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aFailedExpectationAsKtapIsNotOkAndExitsOne() throws Exception {
        var file = dir.resolve("fails.json");
        Files.writeString(file, """
                {"name":"fails","steps":[
                  {"op":"create-device","chipset":"GA102","address":"0000:01:00.0"},
                  {"op":"read-mmio","device":"0000:01:00.0","offset":"0x0","expect":{"value":"0x172000a1"}}]}""");

        int exit = run(file.toString(), "--format", "ktap");

        assertThat(exit).isEqualTo(1);
        var suite = KtapChecker.read(stdout()).getFirst();
        assertThat(suite.ok()).isFalse();
        assertThat(suite.subtests()).singleElement().satisfies(run -> {
            assertThat(run.name()).isEqualTo("revocable");
            assertThat(run.ok()).isFalse();
        });
        assertThat(stdout()).contains("  # step 1 read-mmio: unexpected ENODEV\n");
    }

    @Test
    void aSweepAsKtapOrJunitInsteadOfTheTable() throws Exception {
        assertThat(run("sweep", "--policies", "fenced", "--format", "ktap")).isZero();
        var walk = KtapChecker.read(stdout()).getFirst();
        assertThat(walk.ok()).isTrue();
        assertThat(walk.subtests().getFirst().name()).isEqualTo("step 1 pci_enable_device");
        assertThat(walk.subtests().getFirst().subtests()).hasSize(5);
        assertThat(stdout()).doesNotContain("POLICY");

        out.reset();
        assertThat(run("sweep", "--format", "junit", "--chipset", "TU102")).isZero();
        var xml = JunitXmlReader.parsedWithCountsAgreeing(stdout());
        assertThat(xml.getElementsByTagName("testsuite").getLength()).as("a suite per policy, every one by default")
                .isEqualTo(Policy.values().length);
    }

    @Test
    void aFormatThatIsNotJunitOrKtapExitsTwoPrintingNothing() {
        assertThat(run("timer-fires-after-unbind", "--format", "xml")).isEqualTo(2);
        assertThat(run("timer-fires-after-unbind", "--format")).isEqualTo(2);
        assertThat(run("sweep", "--format", "tap")).isEqualTo(2);
        assertThat(out.size()).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'xml' is not a report format; formats are [junit, ktap]")
                .contains("--format needs junit or ktap").contains("'tap' is not a report format");
    }

    private int run(String... args) {
        return ScenarioCli.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }
}
