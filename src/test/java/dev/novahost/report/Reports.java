package dev.novahost.report;

import java.util.List;

/** Two reports as the scenario runner's answers map to them: a passing run and a failing one. */
final class Reports {

    private Reports() {
    }

    /** A scenario that passed under one policy, its expectations as subtests. */
    static TestReport passing() {
        var revocable = new TestCase("revocable", TestCase.PASSED, List.of("digest: 34df", "violations: none"),
                List.of(new TestCase("step 5 expect", TestCase.PASSED, List.of()),
                        new TestCase("step 8 read-mmio", TestCase.PASSED, List.of())));
        return new TestReport("timer-fires-after-unbind", List.of(new TestSuite("timer-fires-after-unbind",
                List.of(new TestSuite.Property("seed", "1")), List.of(revocable))));
    }

    /**
     * A scenario that failed under one policy, with a message full of what XML and KTAP must escape, and
     * was skipped under another.
     */
    static TestReport failing() {
        String reason = "expected <&\"0x1\u0001\">, got #2";
        var fenced = new TestCase("fenced #1", new TestCase.Failed("step 6 read-mmio: " + reason,
                List.of("timer_free_active/occurred timer 1: freed armed", "  [9] timer 1: armed <&>", "  [11] remove() started")),
                List.of("digest: 89d6"),
                List.of(new TestCase("step 6 read-mmio", new TestCase.Failed(reason, List.of()), List.of()),
                        new TestCase("step 7 expect", new TestCase.Skipped("not checked under fenced"), List.of())));
        var revocable = new TestCase("revocable", new TestCase.Skipped("no GPU\nof that chipset"), List.of());
        return new TestReport("fails", List.of(new TestSuite("fails", List.of(new TestSuite.Property("seed", "3")),
                List.of(fenced, revocable))));
    }
}
