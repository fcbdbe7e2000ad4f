package dev.novahost.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's rules live in its types: a case with a failed subtest failed itself; a suite's result bubbles up. */
class TestCaseTest {

    private static final TestCase FAILED = new TestCase("step 6 expect", new TestCase.Failed("found 1", List.of()), List.of());
    private static final TestCase SKIPPED = new TestCase("step 7 expect", new TestCase.Skipped("not checked"), List.of());

    @Test
    void aCaseWithAFailedSubtestCannotSayItPassedOrWasSkipped() {
        assertThatThrownBy(() -> new TestCase("fenced", TestCase.PASSED, List.of(), List.of(FAILED)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'fenced' has a failed subtest");
        assertThatThrownBy(() -> new TestCase("fenced", new TestCase.Skipped("no"), List.of(), List.of(FAILED)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new TestCase("fenced", new TestCase.Failed("step 6", List.of()), List.of(), List.of(FAILED)).failed())
                .isTrue();
    }

    @Test
    void aSuiteFailsWithACaseIsSkippedWithAllAndPassesOtherwise() {
        var passed = new TestCase("revocable", TestCase.PASSED, List.of(), List.of(SKIPPED));

        assertThat(new TestSuite("s", List.of(), List.of(passed, FAILED)).status())
                .isEqualTo(new TestCase.Failed("1 of 2 cases failed", List.of()));
        assertThat(new TestSuite("s", List.of(), List.of(SKIPPED)).status()).isEqualTo(new TestCase.Skipped("every case skipped"));
        assertThat(new TestSuite("s", List.of(), List.of()).status()).isEqualTo(new TestCase.Skipped("no cases"));
        assertThat(new TestSuite("s", List.of(), List.of(passed, SKIPPED)).status()).isEqualTo(TestCase.PASSED);
    }
}
