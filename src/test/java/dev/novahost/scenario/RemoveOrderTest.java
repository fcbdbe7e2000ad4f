package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.RemovePreset;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Teardown as data (issue 18): a scenario writes nova-core's remove() itself, by the names its steps gave
 * the objects, and the unbind runs exactly those steps, each one a {@code driver.remove-step} in the
 * timeline. On virtual time, with a callback held in flight between two of its steps.
 */
class RemoveOrderTest {

    private static final String GPU = "0000:01:00.0";
    private static final String DEVICE = "{'op':'create-device','chipset':'GA102','address':'" + GPU + "'}";
    private static final String LOAD = "{'op':'load'}";
    private static final String UNBIND = "{'op':'unbind','device':'" + GPU + "'}";

    private final ScenarioRunner runner = new ScenarioRunner();

    /** The brief's example: work first, then the timer, the IRQ, the mapping and the region, by their aliases. */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void theUnbindRunsExactlyTheWrittenStepsInTheirOrder(Policy policy) {
        var run = run(policy, DEVICE, LOAD,
                "{'op':'arm-timer','device':'" + GPU + "','mode':'oneshot','delayNs':3600000000000,'as':'t'}",
                "{'op':'queue-work','device':'" + GPU + "','delayNs':3600000000000,'as':'w'}",
                "{'op':'set-faults','faults':{'remove':['cancel_work_sync:w','hrtimer_cancel:t','free_irq','pci_iounmap',"
                        + "'pci_release_region']}}",
                UNBIND,
                "{'op':'expect','none':true}");

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(messages(run, "driver.remove-step")).containsExactly(
                "nova-core " + GPU + ": remove() step cancel_work_sync:2",
                "nova-core " + GPU + ": remove() step hrtimer_cancel:1",
                "nova-core " + GPU + ": remove() step free_irq",
                "nova-core " + GPU + ": remove() step pci_iounmap",
                "nova-core " + GPU + ": remove() step pci_release_region");
        assertThat(types(run)).containsSubsequence("driver.remove", "driver.remove-step", "work.cancelled",
                "driver.remove-step", "timer.cancelled", "driver.remove-step", "irq.freed", "driver.remove-step",
                "driver.remove-step", "driver.removed", "driver.freed", "driver.unbound");
        assertThat(messages(run, "driver.faults")).containsExactly("nova-core: injected faults now "
                + "remove=cancel_work_sync:2,hrtimer_cancel:1,free_irq,pci_iounmap,pci_release_region");
    }

    /**
     * The order that is wrong in one interleaving: BAR0 unmapped before the timer is cancelled, and its
     * callback in flight just then. Fenced: the callback reads unmapped memory (occurred). Revocable: the
     * unmap revoked the Devres, and the read is refused with ENODEV (prevented). Srcu: the unmap's
     * revocation waits for the callback's read-side section, so its read succeeds and nothing is seen.
     * Timer first: nothing.
     */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aTimerFiringBetweenIounmapAndItsCancelTouchesAGoneBar(Policy policy) {
        var wrong = iounmapRace(policy, "'free_irq','pci_iounmap','hrtimer_cancel:t'");

        assertThat(wrong.passed()).as("%s", wrong.steps()).isTrue();
        if (policy == Policy.SRCU) {
            assertThat(wrong.violations()).isEmpty();
            assertThat(wrong.steps().get(6).blockedUntil()).as("the unbind waits in pci_iounmap's revocation").isEqualTo(7);
            assertThat(types(wrong)).containsSubsequence("timer.fired", "driver.remove", "driver.remove-step",
                    "irq.freed", "driver.remove-step", "devres.revoked", "driver.remove-step", "timer.cancelled",
                    "driver.removed");
            assertThat(iounmapRace(policy, "'free_irq','hrtimer_cancel:t','pci_iounmap'").violations()).isEmpty();
            return;
        }
        assertThat(wrong.violations()).extracting(ScenarioResult.Violation::kind, ScenarioResult.Violation::outcome,
                ScenarioResult.Violation::count).containsExactly(org.assertj.core.groups.Tuple.tuple("mmio_after_revoke",
                policy == Policy.FENCED ? "occurred" : "prevented", 1L));
        assertThat(wrong.steps().get(6).blockedUntil()).as("the unbind waits in hrtimer_cancel for the callback").isEqualTo(7);
        assertThat(types(wrong)).containsSubsequence("timer.fired", "driver.remove", "driver.remove-step", "irq.freed",
                "driver.remove-step", "driver.remove-step", "violation.mmio_after_revoke", "timer.cancelled", "driver.removed");

        var right = iounmapRace(policy, "'free_irq','hrtimer_cancel:t','pci_iounmap'");
        assertThat(right.passed()).isTrue();
        assertThat(right.violations()).isEmpty();
    }

    private ScenarioResult iounmapRace(Policy policy, String order) {
        return run(policy, DEVICE, LOAD,
                "{'op':'arm-timer','device':'" + GPU + "','mode':'periodic','delayNs':1000000,'periodNs':1000000,"
                        + "'action':'touch-bar','as':'t'}",
                "{'op':'set-faults','faults':{'remove':[" + order + "]}}",
                "{'op':'advance','ns':2500000}",
                "{'op':'start-callback','timer':'t'}",
                UNBIND,
                "{'op':'finish-callback','timer':'t'}",
                "{'op':'advance','ns':5000000}");
    }

    /** What a written order forgets is the drop's: prevented under revocable, freed active under fenced. */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aForgottenCancelIsLeftToTheDrop(Policy policy) {
        var run = run(policy, DEVICE, LOAD,
                "{'op':'arm-timer','device':'" + GPU + "','mode':'oneshot','delayNs':3600000000000,'as':'t'}",
                "{'op':'arm-timer','device':'" + GPU + "','mode':'oneshot','delayNs':3600000000000,'as':'u'}",
                "{'op':'set-faults','faults':{'remove':['free_irq','hrtimer_cancel:u']}}",
                UNBIND);

        assertThat(run.violations()).extracting(ScenarioResult.Violation::kind, ScenarioResult.Violation::outcome,
                ScenarioResult.Violation::object).containsExactly(org.assertj.core.groups.Tuple.tuple("timer_free_active",
                policy == Policy.FENCED ? "occurred" : "prevented", "timer 1"));
    }

    /** A lock the order takes and never releases is released when remove() returns, and the log says so. */
    @Test
    void aLockLeftHeldIsReleasedWhenRemoveReturns() {
        var run = run(Policy.FENCED, DEVICE, LOAD,
                "{'op':'set-faults','faults':{'remove':['mutex_lock','free_irq','disconnect_files','hrtimer_cancel']}}",
                UNBIND,
                "{'op':'bind','device':'" + GPU + "','expect':{'errno':'success'}}",
                "{'op':'expect','none':true}");

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(messages(run, "driver.remove-unlocked"))
                .containsExactly("nova-core " + GPU + ": remove() returned holding &nd->lock; released it");
        assertThat(types(run)).containsSubsequence("driver.remove-step", "driver.remove-unlocked", "driver.removed");
    }

    /** An alias no earlier step gave is refused where set-faults runs; a word that is no step, at the parse. */
    @Test
    void anUnknownAliasIsRefusedWhenTheStepRuns() {
        var refused = catchThrowableOfType(ScenarioException.class, () -> run(Policy.FENCED, DEVICE, LOAD,
                "{'op':'set-faults','faults':{'remove':['hrtimer_cancel:nope']}}"));
        assertThat(refused.step()).isEqualTo(2);
        assertThat(refused.getMessage()).contains("remove step hrtimer_cancel:nope: no timer was armed as 'nope'");

        var bad = catchThrowableOfType(ScenarioException.class, () -> Scenario.parse(json(DEVICE,
                "{'op':'set-faults','faults':{'remove':['free_irq:x']}}")));
        assertThat(bad.getMessage()).contains("free_irq takes no target");
    }

    /**
     * Each remove-side boolean fault and its preset, as a list or by name, give the same violations and the
     * same expectations in a built-in scenario (or a short story where none has the fault), under both policies.
     */
    static List<Arguments> presetStories() {
        return List.of(
                Arguments.of(RemovePreset.FORGET_TIMER_CANCEL, builtIn("timer-fires-after-unbind")),
                Arguments.of(RemovePreset.FORGET_TIMER_CANCEL, builtIn("hrtimer-dropped-with-device-data")),
                Arguments.of(RemovePreset.FORGET_WORK_CANCEL, builtIn("work-self-requeues-across-remove")),
                Arguments.of(RemovePreset.WRONG_CANCEL_ORDER, builtIn("timer-requeues-cancelled-work")),
                Arguments.of(RemovePreset.CANCEL_UNDER_LOCK, builtIn("hrtimer-cancel-under-driver-lock")),
                Arguments.of(RemovePreset.FREE_IRQ_UNDER_LOCK, builtIn("free-irq-under-driver-lock")),
                Arguments.of(RemovePreset.FORGET_IRQ_FREE, json(DEVICE,
                        "{'op':'set-faults','faults':{'forgetIrqFree':true}}", LOAD,
                        "{'op':'write-mmio','device':'" + GPU + "','offset':'0x9420','value':1000000}",
                        "{'op':'write-mmio','device':'" + GPU + "','offset':'0x9140','value':1}",
                        UNBIND, "{'op':'advance','ns':2000000}")),
                Arguments.of(RemovePreset.FORGET_FILE_DISCONNECT, json(DEVICE,
                        "{'op':'set-faults','faults':{'forgetFileDisconnect':true}}", LOAD,
                        "{'op':'open-file','device':'" + GPU + "','as':'f'}",
                        UNBIND, "{'op':'file-read','file':'f','offset':'0x0'}")));
    }

    @ParameterizedTest(name = "{0} in {index}")
    @MethodSource("presetStories")
    void eachPresetGivesTheViolationsOfItsBooleanFault(RemovePreset preset, String story) {
        String fault = "\"" + preset.word() + "\": true";
        String compact = "\"" + preset.word() + "\":true";
        assertThat(story.contains(fault) || story.contains(compact)).as("the story sets %s", preset.word()).isTrue();
        String byName = story.replace(fault, "\"remove\": \"" + preset.word() + "\"")
                .replace(compact, "\"remove\":\"" + preset.word() + "\"");
        for (Policy policy : Policy.values()) {
            String asList = story.replace(fault, "\"remove\": " + words(preset, policy))
                    .replace(compact, "\"remove\":" + words(preset, policy));
            var withFault = runner.run(Scenario.parse(story), Optional.of(policy));
            var withList = runner.run(Scenario.parse(asList), Optional.of(policy));
            var withName = runner.run(Scenario.parse(byName), Optional.of(policy));

            if (policy == Policy.FENCED) {
                assertThat(withFault.violations()).as("the story shows %s", preset).isNotEmpty();
            }
            for (var written : List.of(withList, withName)) {
                assertThat(seen(written)).as("%s under %s", preset, policy).isEqualTo(seen(withFault));
                assertThat(written.steps()).extracting(ScenarioResult.StepResult::ok, ScenarioResult.StepResult::expectation)
                        .isEqualTo(withFault.steps().stream().map(s -> org.assertj.core.groups.Tuple.tuple(s.ok(), s.expectation())).toList());
                assertThat(written.passed()).isEqualTo(withFault.passed());
            }
        }
    }

    private static List<String> seen(ScenarioResult run) {
        return run.violations().stream().map(v -> v.kind() + "/" + v.outcome() + "/" + v.device() + "/" + v.object()
                + " x" + v.count()).toList();
    }

    private static String words(RemovePreset preset, Policy policy) {
        return preset.steps(policy).stream().map(step -> "\"" + step.word() + "\"").toList().toString();
    }

    private static String builtIn(String name) {
        try (InputStream in = Scenarios.class.getResourceAsStream("/scenarios/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ScenarioResult run(Policy policy, String... steps) {
        return runner.run(Scenario.parse(json(steps)), Optional.of(policy));
    }

    private static String json(String... steps) {
        return ("{'name':'teardown','steps':[" + String.join(",", steps) + "]}").replace('\'', '"');
    }

    private static List<String> types(ScenarioResult run) {
        return run.events().stream().map(ScenarioResult.Event::type).toList();
    }

    private static List<String> messages(ScenarioResult run, String type) {
        return run.events().stream().filter(e -> e.type().equals(type)).map(ScenarioResult.Event::message).toList();
    }
}
