package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.novahost.kernel.Policy;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A scenario that cannot run as written is refused whole, before the kernel runs, naming the step at
 * fault (-1 for the scenario itself); what only the run can find (a callback that is not due) is
 * refused at its step too.
 */
class BadScenarioTest {

    private static final String DEVICE = "{\"op\":\"create-device\",\"chipset\":\"GA102\",\"address\":\"0000:01:00.0\"}";
    private static final String LOAD = "{\"op\":\"load\"}";

    static Stream<Arguments> badScenarios() {
        return Stream.of(
                bad("not JSON", "{\"steps\": [", -1, "not valid JSON"),
                bad("not an object", "[1, 2]", -1, "JSON object"),
                bad("no steps", "{\"name\": \"x\"}", -1, "non-empty \"steps\""),
                bad("empty steps", "{\"steps\": []}", -1, "non-empty \"steps\""),
                bad("a seed that is not a number", "{\"seed\": \"one\", \"steps\": [" + LOAD + "]}", -1, "seed"),
                bad("an unknown field", "{\"stepz\": [], \"steps\": [" + LOAD + "]}", -1, "no field 'stepz'"),
                bad("a step that is not an object", steps(LOAD, "42"), 1, "JSON object with an \"op\""),
                bad("an unknown op", steps(DEVICE, LOAD, "{\"op\":\"rmmod\"}"), 2, "unknown op \"rmmod\""),
                bad("no op", steps(DEVICE, "{\"device\":\"0000:01:00.0\"}"), 1, "unknown op null"),
                bad("an unknown argument", steps(DEVICE, LOAD, "{\"op\":\"unbind\",\"device\":\"0000:01:00.0\",\"force\":true}"),
                        2, "unbind takes no argument 'force'"),
                bad("a missing argument", steps(DEVICE, LOAD, "{\"op\":\"arm-timer\",\"device\":\"0000:01:00.0\",\"mode\":\"oneshot\"}"),
                        2, "arm-timer needs 'delayNs'"),
                bad("a missing device", steps(DEVICE, LOAD, "{\"op\":\"unbind\"}"), 2, "unbind needs 'device'"),
                bad("a word outside its set", steps(DEVICE, "{\"op\":\"set-policy\",\"policy\":\"careful\"}"),
                        1, "'careful' is not a valid policy"),
                bad("a negative advance", steps(DEVICE, "{\"op\":\"advance\",\"ns\":-5}"), 1, "must not be negative"),
                bad("a fractional advance", steps(DEVICE, "{\"op\":\"advance\",\"ns\":1.5}"), 1, "whole number"),
                bad("a periodic timer without a period", steps(DEVICE, LOAD,
                        "{\"op\":\"arm-timer\",\"device\":\"0000:01:00.0\",\"mode\":\"periodic\",\"delayNs\":1}"),
                        2, "needs 'periodNs'"),
                bad("a queue-work timer without work", steps(DEVICE, LOAD,
                        "{\"op\":\"arm-timer\",\"device\":\"0000:01:00.0\",\"mode\":\"oneshot\",\"delayNs\":1,\"action\":\"queue-work\"}"),
                        2, "needs 'work'"),
                bad("a timer nobody armed", steps(DEVICE, LOAD, "{\"op\":\"cancel-timer\",\"timer\":\"t\"}"),
                        2, "no earlier step made a timer named 't'"),
                bad("a file used before it is opened", steps(DEVICE, LOAD,
                        "{\"op\":\"file-read\",\"file\":\"f\",\"offset\":\"0x0\"}",
                        "{\"op\":\"open-file\",\"device\":\"0000:01:00.0\",\"as\":\"f\"}"), 2, "file named 'f'"),
                bad("both a timer and work in flight at once", steps(DEVICE, LOAD,
                        "{\"op\":\"queue-work\",\"device\":\"0000:01:00.0\",\"as\":\"w\"}",
                        "{\"op\":\"arm-timer\",\"device\":\"0000:01:00.0\",\"mode\":\"oneshot\",\"delayNs\":1,\"as\":\"t\"}",
                        "{\"op\":\"start-callback\",\"timer\":\"t\",\"work\":\"w\"}"), 4, "exactly one callback"),
                bad("an IRQ and a timer in flight at once", steps(DEVICE, LOAD,
                        "{\"op\":\"arm-timer\",\"device\":\"0000:01:00.0\",\"mode\":\"oneshot\",\"delayNs\":1,\"as\":\"t\"}",
                        "{\"op\":\"start-callback\",\"timer\":\"t\",\"irq\":\"0000:01:00.0\"}"), 3, "'timer', 'work' or 'irq'"),
                bad("an expect under a policy that is none", steps(DEVICE,
                        "{\"op\":\"expect\",\"policy\":\"careful\",\"none\":true}"), 1, "'careful' is not a valid policy"),
                bad("an unknown fault", steps(DEVICE, "{\"op\":\"set-faults\",\"faults\":{\"forgetEverything\":true}}"),
                        1, "unknown field 'forgetEverything'; the fields are"),
                bad("a probe failure that is no errno", steps(DEVICE, "{\"op\":\"set-faults\",\"faults\":{\"probeFailure\":\"EOOPS\"}}"),
                        1, "errno name"),
                bad("an empty expect", steps(DEVICE, "{\"op\":\"expect\"}"), 1, "expect needs"),
                bad("an unknown violation kind", steps(DEVICE, "{\"op\":\"expect\",\"violations\":[{\"kind\":\"oops\"}]}"),
                        1, "'oops' is not a violation kind"),
                bad("a violation without a kind", steps(DEVICE, "{\"op\":\"expect\",\"violations\":[{\"count\":1}]}"),
                        1, "with a 'kind'"),
                bad("a taint that never taints", steps(DEVICE, "{\"op\":\"expect\",\"taints\":[\"devres_leak\"]}"),
                        1, "never taints"),
                bad("a step expectation with an unknown errno", steps(DEVICE,
                        "{\"op\":\"load\",\"expect\":{\"errno\":\"ENOPE\"}}"), 1, "errno name"),
                bad("a step expectation with an unknown field", steps(DEVICE,
                        "{\"op\":\"load\",\"expect\":{\"status\":200}}"), 1, "not 'status'"),
                bad("an offset that is no number", steps(DEVICE, LOAD,
                        "{\"op\":\"read-mmio\",\"device\":\"0000:01:00.0\",\"offset\":\"zero\"}"), 2, "'offset' must be a number"));
    }

    private static Arguments bad(String what, String json, int step, String message) {
        return Arguments.of(what, json, step, message);
    }

    private static String steps(String... steps) {
        return "{\"name\": \"bad\", \"steps\": [" + String.join(",", steps) + "]}";
    }

    @ParameterizedTest(name = "{0}: step {2}")
    @MethodSource("badScenarios")
    void isRefusedAtTheStepAtFault(String what, String json, int step, String message) {
        var refused = catchThrowableOfType(ScenarioException.class, () -> Scenario.parse(json));

        assertThat(refused).as(what).isNotNull();
        assertThat(refused.step()).as("step of: %s", refused.getMessage()).isEqualTo(step);
        assertThat(refused.getMessage()).contains(message);
        if (step >= 0) {
            assertThat(refused.getMessage()).startsWith("step " + step + ": ");
        }
    }

    /** What only the run can find is refused at its step too. */
    static Stream<Arguments> refusedWhileRunning() {
        return Stream.of(
                bad("a callback that is not due cannot start", steps(DEVICE, LOAD,
                        "{\"op\":\"queue-work\",\"device\":\"0000:01:00.0\",\"delayNs\":5000,\"as\":\"w\"}",
                        "{\"op\":\"start-callback\",\"work\":\"w\"}"), 3, "did not run by 0 ns"),
                bad("a timer that is not armed cannot start", steps(DEVICE, LOAD,
                        "{\"op\":\"arm-timer\",\"device\":\"0000:01:00.0\",\"mode\":\"oneshot\",\"delayNs\":10,\"as\":\"t\"}",
                        "{\"op\":\"cancel-timer\",\"timer\":\"t\"}",
                        "{\"op\":\"start-callback\",\"timer\":\"t\"}"), 4, "is not armed"),
                bad("an IRQ handler cannot start while its alarm is off", steps(DEVICE, LOAD,
                        "{\"op\":\"start-callback\",\"irq\":\"0000:01:00.0\"}"), 2, "PTIMER alarm of 0000:01:00.0 is not enabled"),
                bad("only a callback in flight can finish", steps(DEVICE, LOAD,
                        "{\"op\":\"arm-timer\",\"device\":\"0000:01:00.0\",\"mode\":\"oneshot\",\"delayNs\":10,\"as\":\"t\"}",
                        "{\"op\":\"finish-callback\",\"timer\":\"t\"}"), 3, "has no callback in flight"),
                bad("a name whose step failed is refused where it is used", steps(DEVICE,
                        "{\"op\":\"arm-timer\",\"device\":\"0000:01:00.0\",\"mode\":\"oneshot\",\"delayNs\":10,\"as\":\"t\","
                                + "\"expect\":{\"errno\":\"ENODEV\"}}",
                        "{\"op\":\"cancel-timer\",\"timer\":\"t\"}"), 2, "no timer was armed as 't'"));
    }

    @ParameterizedTest(name = "{0}: step {2}")
    @MethodSource("refusedWhileRunning")
    void isRefusedWhileRunningAtTheStepAtFault(String what, String json, int step, String message) {
        var scenario = Scenario.parse(json);

        var refused = catchThrowableOfType(ScenarioException.class,
                () -> new ScenarioRunner().run(scenario, Optional.of(Policy.FENCED)));

        assertThat(refused).as(what).isNotNull();
        assertThat(refused.step()).as("step of: %s", refused.getMessage()).isEqualTo(step);
        assertThat(refused.getMessage()).contains(message);
    }

    @Test
    void aStepTheKernelRefusesIsAFailedExpectationNotABadScenario() {
        var scenario = Scenario.parse(steps(DEVICE, "{\"op\":\"bind\",\"device\":\"0000:01:00.0\"}",
                "{\"op\":\"create-device\",\"chipset\":\"GZ999\"}"));

        var run = new ScenarioRunner().run(scenario, Optional.empty());

        assertThat(run.passed()).isFalse();
        assertThat(run.expectationsFailed()).isEqualTo(2);
        assertThat(run.steps().get(1).expectation()).isEqualTo("failed: unexpected ENOENT");
        assertThat(run.steps().get(2).errno()).isEqualTo("EINVAL");
    }
}
