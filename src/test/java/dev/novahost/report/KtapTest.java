package dev.novahost.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * KTAP version 1 as the kernel's {@code ktap.rst} and KUnit write it: the golden text of a passing and a
 * failing run, read back by a line checker (plans match results, subtests indented two spaces a level),
 * names that cannot hold {@code #} or a line break, and the same report written twice as the same bytes.
 */
class KtapTest {

    @Test
    void aPassingRunIsOneSuiteOfOneCaseWithItsExpectationsAsSubtests() {
        assertThat(Ktap.write(Reports.passing())).isEqualTo("""
                KTAP version 1
                1..1
                # timer-fires-after-unbind
                  KTAP version 1
                  # Subtest: timer-fires-after-unbind
                  1..1
                  # seed: 1
                    KTAP version 1
                    # Subtest: revocable
                    1..2
                    ok 1 step 5 expect
                    ok 2 step 8 read-mmio
                  # digest: 34df
                  # violations: none
                  ok 1 revocable
                ok 1 timer-fires-after-unbind
                """);
    }

    @Test
    void aFailingRunSaysWhyBeforeItsResultLineAndSkipsWithTheDirective() {
        assertThat(Ktap.write(Reports.failing())).isEqualTo("""
                KTAP version 1
                1..1
                # fails
                  KTAP version 1
                  # Subtest: fails
                  1..2
                  # seed: 3
                    KTAP version 1
                    # Subtest: fenced \\u00231
                    1..2
                    # expected <&"0x1\\u0001">, got #2
                    not ok 1 step 6 read-mmio
                    ok 2 step 7 expect # SKIP not checked under fenced
                  # digest: 89d6
                  # step 6 read-mmio: expected <&"0x1\\u0001">, got #2
                  # timer_free_active/occurred timer 1: freed armed
                  #   [9] timer 1: armed <&>
                  #   [11] remove() started
                  not ok 1 fenced \\u00231
                  ok 2 revocable # SKIP no GPU\\u000aof that chipset
                # 1 of 2 cases failed
                not ok 1 fails
                """);
    }

    @Test
    void theTextReadsBackAsTheReportsTree() {
        var suites = KtapChecker.read(Ktap.write(Reports.failing()));

        assertThat(suites).hasSize(1);
        var suite = suites.getFirst();
        assertThat(suite.ok()).as("a suite with a failed case failed").isFalse();
        assertThat(suite.subtests()).extracting(KtapChecker.Result::name).containsExactly("fenced \\u00231", "revocable");
        var fenced = suite.subtests().getFirst();
        assertThat(fenced.ok()).isFalse();
        assertThat(fenced.subtests()).extracting(KtapChecker.Result::ok).containsExactly(false, true);
        assertThat(fenced.subtests().get(1).skip()).isEqualTo("not checked under fenced");
        assertThat(suite.subtests().get(1).skip()).isEqualTo("no GPU\\u000aof that chipset");
        assertThat(KtapChecker.read(Ktap.write(Reports.passing())).getFirst().ok()).isTrue();
    }

    @Test
    void aSuiteWithNoCasesOrOnlySkippedOnesIsSkipped() {
        var skipped = new TestCase("fenced", new TestCase.Skipped("not run"), List.of());
        var report = new TestReport("r", List.of(new TestSuite("empty", List.of(), List.of()),
                new TestSuite("skipped", List.of(), List.of(skipped))));

        var suites = KtapChecker.read(Ktap.write(report));

        assertThat(suites).extracting(KtapChecker.Result::skip).containsExactly("no cases", "every case skipped");
        assertThat(suites).extracting(KtapChecker.Result::ok).containsExactly(true, true);
    }

    @Test
    void deeplyNestedSubtestsIndentTwoSpacesALevel() {
        var leaf = new TestCase("leaf", new TestCase.Failed("broke", List.of()), List.of());
        var middle = new TestCase("middle", new TestCase.Failed("a subtest failed", List.of()), List.of(), List.of(leaf));
        var top = new TestCase("top", new TestCase.Failed("a subtest failed", List.of()), List.of(), List.of(middle));
        var text = Ktap.write(new TestReport("r", List.of(new TestSuite("s", List.of(), List.of(top)))));

        assertThat(text).endsWith("""
                      KTAP version 1
                      # Subtest: middle
                      1..1
                      # broke
                      not ok 1 leaf
                    # a subtest failed
                    not ok 1 middle
                  # a subtest failed
                  not ok 1 top
                # 1 of 1 cases failed
                not ok 1 s
                """);
        var read = KtapChecker.read(text);
        assertThat(read.getFirst().subtests().getFirst().subtests().getFirst().subtests().getFirst().name()).isEqualTo("leaf");
    }

    @Test
    void aDiagnosticLineIsNeverReadAsASubtestHeader() {
        var report = new TestReport("Subtest: not a test", List.of(new TestSuite("s", List.of(),
                List.of(new TestCase("c", TestCase.PASSED, List.of("Subtest: nor this"))))));

        String text = Ktap.write(report);

        assertThat(text).contains("\n#  Subtest: not a test\n", "\n  #  Subtest: nor this\n")
                .containsOnlyOnce("# Subtest: ");
        assertThat(KtapChecker.read(text)).singleElement().satisfies(suite -> assertThat(suite.ok()).isTrue());
    }

    @Test
    void theSameReportIsTheSameBytes() {
        assertThat(Ktap.write(Reports.failing())).isEqualTo(Ktap.write(Reports.failing()));
    }
}
