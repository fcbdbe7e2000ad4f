package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The {@code srcu} policy in a scenario, on virtual time: an unbind waits in {@code synchronize_srcu}
 * for a module-scope callback in flight in its read-side section, and the callback's access, let go,
 * succeeds; under {@code revocable} the unbind does not wait and the access is refused. ({@code block}
 * needs real time, so the reader that never leaves is {@code SrcuPolicyTest}'s.)
 */
class SrcuScenarioTest {

    private static final String GPU = "0000:01:00.0";

    private final ScenarioRunner runner = new ScenarioRunner();

    private static final Scenario STORY = Scenario.parse(("{'name':'srcu-story','steps':["
            + "{'op':'create-device','chipset':'GA102','address':'" + GPU + "'},"
            + "{'op':'load'},"
            + "{'op':'arm-timer','device':'" + GPU + "','mode':'oneshot','delayNs':1000000,'scope':'module',"
            + "'action':'touch-bar','as':'t'},"
            + "{'op':'start-callback','timer':'t'},"
            + "{'op':'unbind','device':'" + GPU + "'},"
            + "{'op':'finish-callback','timer':'t'},"
            + "{'op':'expect','policy':'srcu','none':true},"
            + "{'op':'expect','policy':'revocable','violations':[{'kind':'mmio_after_revoke','outcome':'prevented','count':1}]}"
            + "]}").replace('\'', '"'));

    @Test
    void theUnbindWaitsForTheReaderInItsSectionWhoseAccessSucceeds() {
        var srcu = runner.run(STORY, Optional.of(Policy.SRCU));

        assertThat(srcu.passed()).as("%s", srcu.steps()).isTrue();
        assertThat(srcu.steps().get(4).blockedUntil()).as("the unbind waits until the callback finishes").isEqualTo(5);
        assertThat(srcu.steps().get(5).value()).isEqualTo("t finished");
    }

    /** {@code set-policy srcu} in a run without policies: the expect for srcu is checked, the one for revocable is not. */
    @Test
    void setPolicySrcuTakesEffectAndExpectPolicySrcuIsChecked() {
        var scenario = Scenario.parse(("{'name':'set-srcu','steps':["
                + "{'op':'set-policy','policy':'srcu'},"
                + "{'op':'create-device','chipset':'GA102','address':'" + GPU + "'},"
                + "{'op':'load'},"
                + "{'op':'arm-timer','device':'" + GPU + "','mode':'periodic','delayNs':1000000,'periodNs':1000000,"
                + "'scope':'module','action':'touch-bar','as':'t'},"
                + "{'op':'advance','ns':1500000},"
                + "{'op':'unbind','device':'" + GPU + "'},"
                + "{'op':'advance','ns':1000000},"
                + "{'op':'expect','policy':'srcu','violations':[{'kind':'mmio_after_revoke','outcome':'prevented','count':1}]},"
                + "{'op':'expect','policy':'revocable','violations':[{'kind':'mmio_after_revoke','count':99}]}"
                + "]}").replace('\'', '"'));

        var run = runner.run(scenario, Optional.empty());

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(run.violations()).singleElement().satisfies(v -> assertThat(v.message())
                .as("srcu's refusal: the callback's section, not an access").endsWith("read-side section refused at entry"));
    }

    @Test
    void underRevocableTheUnbindDoesNotWaitAndTheAccessIsRefused() {
        var revocable = runner.run(STORY, Optional.of(Policy.REVOCABLE));

        assertThat(revocable.passed()).as("%s", revocable.steps()).isTrue();
        assertThat(revocable.steps().get(4).blockedUntil()).isNull();
    }
}
