package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.report.JunitXml;
import dev.novahost.report.Ktap;
import dev.novahost.report.ReportFormat;
import dev.novahost.report.TestCase;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The scenario feature's answers as test reports: a run or a comparison is a suite for the scenario with a
 * case per policy and its expectations as subtests; a failed expectation's sentence is the failure's
 * message and the violation's timeline its details; a sweep is a suite per policy with a case per step and
 * its checks as subtests. The same scenario gives the same report, byte for byte.
 */
class ScenarioReportsTest {

    private final ScenarioRunner runner = new ScenarioRunner();

    /** forgetTimerCancel under fenced: the timer outlives remove(); the scenario expects nothing to go wrong. */
    private static final Scenario FORGOTTEN_CANCEL = Scenario.parse("""
            {"name":"forgotten-cancel","seed":3,"steps":[
              {"op":"create-device","chipset":"GA102","address":"0000:01:00.0"},
              {"op":"set-faults","faults":{"forgetTimerCancel":true}},
              {"op":"load"},
              {"op":"arm-timer","device":"0000:01:00.0","mode":"periodic","delayNs":1000000,"periodNs":1000000,
               "action":"touch-bar","as":"t"},
              {"op":"unbind","device":"0000:01:00.0"},
              {"op":"advance","ns":2000000},
              {"op":"expect","none":true},
              {"op":"expect","policy":"revocable","violations":[{"kind":"timer_free_active"}]}]}""");

    @Test
    void aComparisonIsOneSuiteWithACasePerPolicyAndTheExpectationsAsSubtests() {
        var comparison = runner.compare(Scenarios.named("timer-fires-after-unbind").orElseThrow(),
                List.of(Policy.REVOCABLE, Policy.FENCED));

        var report = ScenarioReports.of(comparison);

        assertThat(report.suites()).singleElement().satisfies(suite -> {
            assertThat(suite.name()).isEqualTo("timer-fires-after-unbind");
            assertThat(suite.cases()).extracting(TestCase::name).containsExactly("revocable", "fenced");
            assertThat(suite.failed()).isFalse();
            var fenced = comparison.runs().get("fenced");
            assertThat(suite.cases().get(1).subtests()).hasSize(fenced.expectationsPassed() + fenced.expectationsFailed());
            assertThat(suite.cases().get(1).output()).contains("digest: " + fenced.digest(),
                    "violations: timer_after_remove/occurred 1, timer_free_active/occurred 1");
        });
    }

    @Test
    void aFailedExpectationIsAFailureWithTheVerdictsSentenceAndTheViolationsTimeline() {
        var result = runner.run(FORGOTTEN_CANCEL, Optional.of(Policy.FENCED));

        var fenced = ScenarioReports.of(result).suites().getFirst().cases().getFirst();

        assertThat(fenced.name()).isEqualTo("fenced");
        assertThat(fenced.status()).isInstanceOfSatisfying(TestCase.Failed.class, failed -> {
            assertThat(failed.message()).isEqualTo("step 6 expect: expected no violations, found "
                    + "[timer_free_active/occurred, timer_after_remove/occurred]");
            assertThat(failed.details().getFirst())
                    .isEqualTo("timer_free_active/occurred timer 1: timer 1 still armed when the driver data was freed");
            assertThat(failed.details()).anyMatch(line -> line.matches("  \\[\\d+] nova-core 0000:01:00.0: remove\\(\\) started"))
                    .anyMatch(line -> line.contains("FAULT_INJECTION: forcing a failure: forgetTimerCancel"))
                    .contains("timer_after_remove/occurred timer 1: timer 1 of 0000:01:00.0 ran after remove() returned");
        });
        assertThat(fenced.subtests()).extracting(TestCase::name).containsExactly("step 6 expect", "step 7 expect");
        assertThat(fenced.subtests().get(1).status()).isEqualTo(new TestCase.Skipped("not checked under fenced"));
    }

    @Test
    void aFailureWithoutAViolationShowsTheEndOfTheKernelLog() {
        var scenario = Scenario.parse("""
                {"name":"no-driver","steps":[
                  {"op":"create-device","chipset":"GA102","address":"0000:01:00.0"},
                  {"op":"read-mmio","device":"0000:01:00.0","offset":"0x0","expect":{"value":"0x172000a1"}}]}""");

        var status = ScenarioReports.of(runner.run(scenario, Optional.empty())).suites().getFirst().cases().getFirst().status();

        assertThat(status).isInstanceOfSatisfying(TestCase.Failed.class, failed -> {
            assertThat(failed.message()).isEqualTo("step 1 read-mmio: unexpected ENODEV");
            assertThat(failed.details().getFirst()).isEqualTo("no violation; the kernel log:");
            assertThat(failed.details()).anyMatch(line -> line.startsWith("  [1] "));
        });
    }

    @Test
    void aSweepIsASuitePerPolicyWithACasePerStepAndItsChecksAsSubtests() {
        var sweep = runner.sweep(Sweep.Operation.BIND, Sweep.NOVA_CORE, Chipset.GA102, List.of(Policy.FENCED));

        var report = ScenarioReports.of(sweep);

        assertThat(report.suites()).singleElement().satisfies(suite -> {
            assertThat(suite.name()).isEqualTo("sweep bind nova-core GA102 fenced");
            var steps = sweep.walks().get("fenced").steps();
            assertThat(suite.cases()).hasSize(steps.size());
            assertThat(suite.cases().getFirst().name()).isEqualTo("step 1 pci_enable_device");
            assertThat(suite.cases().getFirst().subtests()).extracting(TestCase::name)
                    .containsExactly("errno", "devres-reverse", "no-leak", "unbound", "rebind");
            assertThat(suite.cases().getLast().name()).isEqualTo("step " + steps.size() + " bound");
            assertThat(suite.failed()).isFalse();
        });
    }

    @Test
    void aStepWithFailedChecksNamesThemAndCarriesItsTimeline() {
        var leaky = new Sweep.StepVerdict(3, "pci_iomap", "ENOMEM", false, List.of(
                new Sweep.Check("errno", true, "bind returned -ENOMEM; pci_iomap failed with -ENOMEM"),
                new Sweep.Check("no-leak", false, "BAR0 region still claimed"),
                new Sweep.Check("rebind", false, "the next bind failed with -EBUSY")),
                List.of("[7] FAULT_INJECTION: forcing a failure", "[8] devres release: pci_enable_device"));
        var sweep = new Sweep.Result("bind", "leaky-pci", "GA102", false,
                Map.of("fenced", new Sweep.Walk(false, 1, List.of(leaky))));

        var step = ScenarioReports.of(sweep).suites().getFirst().cases().getFirst();

        assertThat(step.status()).isEqualTo(new TestCase.Failed(
                "no-leak: BAR0 region still claimed; rebind: the next bind failed with -EBUSY",
                List.of("[7] FAULT_INJECTION: forcing a failure", "[8] devres release: pci_enable_device")));
        assertThat(step.subtests()).extracting(TestCase::failed).containsExactly(false, true, true);
        assertThat(Ktap.write(ScenarioReports.of(sweep))).contains("""
                  # pci_iomap failed with -ENOMEM
                  # no-leak: BAR0 region still claimed; rebind: the next bind failed with -EBUSY
                  # [7] FAULT_INJECTION: forcing a failure
                  # [8] devres release: pci_enable_device
                  not ok 1 step 3 pci_iomap
                """);
    }

    @Test
    void theSameScenarioGivesTheSameReportByteForByte() {
        for (ReportFormat format : ReportFormat.values()) {
            String first = format.write(ScenarioReports.of(runner.compare(FORGOTTEN_CANCEL, List.of(Policy.values()))));
            String second = format.write(ScenarioReports.of(runner.compare(FORGOTTEN_CANCEL, List.of(Policy.values()))));

            assertThat(second).as(format.name()).isEqualTo(first);
        }
        var sweep = runner.sweep(Sweep.Operation.BIND, Sweep.NOVA_CORE, Chipset.TU102, List.of(Policy.values()));
        var again = runner.sweep(Sweep.Operation.BIND, Sweep.NOVA_CORE, Chipset.TU102, List.of(Policy.values()));
        assertThat(JunitXml.write(ScenarioReports.of(again))).isEqualTo(JunitXml.write(ScenarioReports.of(sweep)));
    }
}
