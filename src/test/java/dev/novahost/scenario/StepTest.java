package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.DriverWork;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * A step is a record of its op, parsed whole before the run: every op of the table parses into the
 * record that applies it, a step's rules about timers and work are the kernel's own specs', and what
 * it expects is a typed {@link Expectation}.
 */
class StepTest {

    private static final String DEV = "\"device\":\"0000:01:00.0\"";

    /** One step of each op, the smallest that parses. */
    private static final Map<String, String> EXAMPLES = Map.ofEntries(
            Map.entry("create-device", "{\"op\":\"create-device\",\"chipset\":\"GA102\"}"),
            Map.entry("remove-device", "{\"op\":\"remove-device\"," + DEV + "}"),
            Map.entry("surprise-removal", "{\"op\":\"surprise-removal\"," + DEV + "}"),
            Map.entry("load", "{\"op\":\"load\"}"),
            Map.entry("unload", "{\"op\":\"unload\",\"mode\":\"force\"}"),
            Map.entry("set-policy", "{\"op\":\"set-policy\",\"policy\":\"fenced\"}"),
            Map.entry("set-faults", "{\"op\":\"set-faults\",\"faults\":{\"forgetTimerCancel\":true}}"),
            Map.entry("bind", "{\"op\":\"bind\"," + DEV + "}"),
            Map.entry("unbind", "{\"op\":\"unbind\"," + DEV + "}"),
            Map.entry("arm-timer", "{\"op\":\"arm-timer\"," + DEV + ",\"mode\":\"oneshot\",\"delayNs\":1}"),
            Map.entry("cancel-timer", "{\"op\":\"cancel-timer\",\"timer\":\"t\"}"),
            Map.entry("queue-work", "{\"op\":\"queue-work\"," + DEV + "}"),
            Map.entry("cancel-work", "{\"op\":\"cancel-work\",\"work\":\"w\"}"),
            Map.entry("open-file", "{\"op\":\"open-file\"," + DEV + "}"),
            Map.entry("close-file", "{\"op\":\"close-file\",\"file\":\"f\"}"),
            Map.entry("read-mmio", "{\"op\":\"read-mmio\"," + DEV + ",\"offset\":\"0x9400\"}"),
            Map.entry("write-mmio", "{\"op\":\"write-mmio\"," + DEV + ",\"offset\":0,\"value\":1}"),
            Map.entry("file-read", "{\"op\":\"file-read\",\"file\":\"f\",\"offset\":0}"),
            Map.entry("file-write", "{\"op\":\"file-write\",\"file\":\"f\",\"offset\":0,\"value\":1}"),
            Map.entry("advance", "{\"op\":\"advance\",\"ns\":5}"),
            Map.entry("start-callback", "{\"op\":\"start-callback\",\"timer\":\"t\"}"),
            Map.entry("finish-callback", "{\"op\":\"finish-callback\",\"work\":\"w\"}"),
            Map.entry("resume", "{\"op\":\"resume\"}"),
            Map.entry("expect", "{\"op\":\"expect\",\"none\":true}"));

    @Test
    void everyOpParsesIntoItsOwnRecordOfTheFamily() {
        assertThat(EXAMPLES.keySet()).isEqualTo(Step.OPS.keySet());
        var permitted = Arrays.stream(Step.OnKernel.class.getPermittedSubclasses()).toList();
        assertThat(permitted).hasSize(Step.OPS.size() - 1 - Step.OnCpus.class.getPermittedSubclasses().length);

        EXAMPLES.forEach((op, json) -> {
            var step = Step.of(7, Scenario.JSON.readTree(json));
            assertThat(step.op()).isEqualTo(op);
            assertThat(step.index()).isEqualTo(7);
            assertThat(step.getClass().isRecord()).as(op).isTrue();
            assertThat(EXAMPLES.keySet().stream().filter(other -> Step.of(0, Scenario.JSON.readTree(EXAMPLES.get(other)))
                    .getClass() == step.getClass())).as("ops parsed by %s", step.getClass()).containsExactly(op);
        });
    }

    /** The rules of a timer or work item are the kernel's: a scenario is refused with the spec's own words. */
    @Test
    void aScenarioIsRefusedByTheRulesOfTheKernelsOwnSpecs() {
        assertRefusedAsTheKernel("{\"op\":\"arm-timer\"," + DEV + ",\"mode\":\"oneshot\",\"delayNs\":1,\"periodNs\":20000}",
                () -> new DriverTimer.Spec(TimerMode.ONESHOT, 1, 20_000, Scope.DEVICE, Action.NOOP, Optional.empty()));
        assertRefusedAsTheKernel("{\"op\":\"arm-timer\"," + DEV + ",\"mode\":\"periodic\",\"delayNs\":1,\"periodNs\":1}",
                () -> new DriverTimer.Spec(TimerMode.PERIODIC, 1, 1, Scope.DEVICE, Action.NOOP, Optional.empty()));
        assertRefusedAsTheKernel("{\"op\":\"arm-timer\"," + DEV + ",\"mode\":\"oneshot\",\"delayNs\":3600000000001}",
                () -> new DriverTimer.Spec(TimerMode.ONESHOT, 3_600_000_000_001L, 0, Scope.DEVICE, Action.NOOP,
                        Optional.empty()));
        assertRefusedAsTheKernel("{\"op\":\"queue-work\"," + DEV + ",\"action\":\"queue-work\"}",
                () -> new DriverWork.Spec(0, 0, Scope.DEVICE, Action.QUEUE_WORK));
        assertRefusedAsTheKernel("{\"op\":\"queue-work\"," + DEV + ",\"delayNs\":-1}",
                () -> new DriverWork.Spec(-1, 0, Scope.DEVICE, Action.NOOP));
    }

    private static void assertRefusedAsTheKernel(String step, Runnable spec) {
        var kernel = catchThrowableOfType(KernelException.class, spec::run);
        var refused = catchThrowableOfType(ScenarioException.class, () -> Step.of(3, Scenario.JSON.readTree(step)));

        assertThat(kernel.errno()).isEqualTo(Errno.EINVAL);
        assertThat(refused).as(step).isNotNull();
        assertThat(refused.getMessage()).isEqualTo("step 3: " + kernel.getMessage());
    }

    /** As before the records: a step wrong twice is refused for its arguments first, then for its expectation. */
    @Test
    void anOpsArgumentsAreCheckedBeforeTheStepsOwnExpectation() {
        var refused = catchThrowableOfType(ScenarioException.class, () -> Step.of(2, Scenario.JSON.readTree(
                "{\"op\":\"read-mmio\"," + DEV + ",\"offset\":\"zero\",\"expect\":{\"errno\":\"ENOPE\"}}")));

        assertThat(refused.getMessage()).startsWith("step 2: 'offset' must be a number");
    }

    @Test
    void aStepsOwnExpectationIsATypeWhoseCheckIsAVerdict() {
        var step = Step.of(0, Scenario.JSON.readTree("{\"op\":\"load\",\"expect\":{\"errno\":\"ebusy\",\"value\":\"x\"}}"));
        var expected = step.line().expect().orElseThrow();

        assertThat(expected).isEqualTo(new Expectation.OfStep(Optional.of("ebusy"), Optional.of("x")));
        assertThat(expected.check(new StepOutcome("in use", Errno.EBUSY))).isInstanceOf(Verdict.Failed.class)
                .extracting(Verdict::wire).isEqualTo("failed: expected x, got in use");
        assertThat(expected.check(new StepOutcome("generation 1", null)))
                .isEqualTo(Verdict.failed("expected ebusy, got success"));
        assertThat(Expectation.OfStep.verdict(Optional.empty(), new StepOutcome("generation 1", null))).isEmpty();
        assertThat(Expectation.OfStep.verdict(Optional.empty(), new StepOutcome("no", Errno.ENODEV)))
                .contains(Verdict.failed("unexpected ENODEV"));
    }

    @Test
    void anExpectStepIsTheKernelsExpectationTyped() {
        var step = Step.of(0, Scenario.JSON.readTree("{\"op\":\"expect\",\"violations\":[{\"kind\":\"timer_free_active\","
                + "\"outcome\":\"prevented\",\"count\":2}],\"taints\":[]}"));

        assertThat(step).isInstanceOf(Step.Expect.class);
        assertThat(((Step.Expect) step).expected()).isEqualTo(new Expectation.OfKernel(false,
                java.util.List.of(new Expectation.OfKernel.Wanted(ViolationKind.TIMER_FREE_ACTIVE,
                        Optional.of(Outcome.PREVENTED), OptionalLong.of(2))), Optional.of(java.util.List.of())));
    }
}
