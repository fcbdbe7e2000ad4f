package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.novahost.kernel.Policy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * start-callback and finish-callback, told as the kernel would: a callback in flight on one CPU, an
 * unbind on another that must wait for it, and the steps that do or do not wait meanwhile. Each story
 * checks where each step completed ({@code blockedUntil}) and that nothing ran out of its place.
 */
class InterleavingTest {

    private static final String GPU = "0000:01:00.0";
    private static final String OTHER_GPU = "0000:02:00.0";

    private final ScenarioRunner runner = new ScenarioRunner();

    /** A correct remove() cancels the timer, and hrtimer_cancel waits for the callback running on the other CPU. */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void unbindWaitsForTheTimerCallbackInFlightAndABindWaitsForTheUnbind(Policy policy) {
        var run = run(policy,
                device(GPU),
                "{'op':'load'}",
                timer(GPU, "t", "touch-bar"),
                "{'op':'start-callback','timer':'t'}",
                "{'op':'read-mmio','device':'" + GPU + "','offset':'0x0','expect':{'value':'0x172000a1'}}",
                "{'op':'unbind','device':'" + GPU + "'}",
                "{'op':'bind','device':'" + GPU + "','expect':{'errno':'success'}}",
                "{'op':'expect','none':true}",
                "{'op':'finish-callback','timer':'t'}",
                "{'op':'read-mmio','device':'" + GPU + "','offset':'0x0','expect':{'value':'0x172000a1'}}",
                "{'op':'expect','none':true}");

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(blockedUntil(run)).containsExactly(null, null, null, null, null, 8, 8, null, null, null, null);
        assertThat(types(run)).containsSubsequence("timer.fired", "timer.cancelled", "driver.removed",
                "driver.unbound", "driver.probe", "driver.bound");
    }

    @Test
    void aStepWaitsOnlyForTheCallbackThatWasInFlightWhenItBeganToWait() {
        var run = run(Policy.FENCED, twoGpusWithACallbackInFlight(
                "{'op':'unbind','device':'" + GPU + "'}",
                "{'op':'start-callback','timer':'b'}",
                "{'op':'finish-callback','timer':'b'}",
                "{'op':'expect','none':true}",
                "{'op':'finish-callback','timer':'a'}",
                "{'op':'unbind','device':'" + OTHER_GPU + "'}"));

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(blockedUntil(run).get(6)).as("the unbind of the first GPU waited for a, not b").isEqualTo(10);
        assertThat(blockedUntil(run).get(11)).isNull();
    }

    @Test
    void aStepCompletesWhenItsCallbackFinishesWhileAnotherIsStillInFlight() {
        var run = run(Policy.FENCED, twoGpusWithACallbackInFlight(
                "{'op':'unbind','device':'" + GPU + "'}",
                "{'op':'start-callback','timer':'b'}",
                "{'op':'finish-callback','timer':'a'}",
                "{'op':'read-mmio','device':'" + GPU + "','offset':'0x0','expect':{'errno':'ENODEV'}}",
                "{'op':'finish-callback','timer':'b'}"));

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(blockedUntil(run).get(6)).isEqualTo(8);
        assertThat(blockedUntil(run).get(9)).as("the GPU was unbound before the read").isNull();
        // b's callback is logged as it enters, while the unbind of a's GPU waits; that unbind ends after.
        assertThat(types(run)).containsSubsequence("driver.remove", "timer.fired", "driver.unbound");
    }

    /** Which of two callbacks in flight would let the unbind go cannot be told, so the order could not be fixed. */
    @Test
    void aStepThatBeginsToWaitWhileTwoCallbacksAreInFlightIsRefused() {
        var scenario = scenario(twoGpusWithACallbackInFlight(
                "{'op':'start-callback','timer':'b'}",
                "{'op':'unbind','device':'" + GPU + "'}"));

        var refused = catchThrowableOfType(ScenarioException.class, () -> runner.run(scenario, Optional.empty()));

        assertThat(refused.step()).isEqualTo(7);
        assertThat(refused.getMessage()).contains("waits while [a, b] are in flight");
    }

    @Test
    void callbacksStillInFlightAtTheEndAreFinishedThenAndTheirWaitersComplete() {
        var run = run(Policy.REVOCABLE,
                device(GPU),
                "{'op':'load'}",
                timer(GPU, "t", "noop"),
                "{'op':'start-callback','timer':'t'}",
                "{'op':'unbind','device':'" + GPU + "'}");

        assertThat(run.passed()).isTrue();
        assertThat(run.steps().get(4).blockedUntil()).as("after the last step").isEqualTo(5);
        assertThat(types(run)).endsWith("driver.unbound");
    }

    @Test
    void timeMovesOnOtherCpusWhileACallbackIsInFlight() {
        var run = run(Policy.FENCED,
                device(GPU), device(OTHER_GPU),
                "{'op':'load'}",
                timer(GPU, "held", "noop"),
                "{'op':'start-callback','timer':'held'}",
                "{'op':'arm-timer','device':'" + OTHER_GPU + "','mode':'oneshot','delayNs':500000,'as':'other'}",
                "{'op':'advance','ns':1000000,'expect':{'value':'1 callbacks ran; now 2000000 ns'}}",
                "{'op':'finish-callback','timer':'held'}");

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(blockedUntil(run)).containsOnlyNulls();
    }

    /** Work the held timer callback queues runs on that CPU only after the unbind it let go has returned. */
    @Test
    void workTheCallbackQueuedRunsAfterTheUnbindItLetGo() {
        var run = runner.run(Scenarios.named("timer-requeues-cancelled-work").orElseThrow(), Optional.of(Policy.FENCED));

        assertThat(types(run)).containsSubsequence("timer.queued-work", "timer.cancelled", "driver.removed",
                "violation.work_free_active", "driver.unbound", "work.running", "violation.work_after_remove");
    }

    @Test
    void aRunRefusedMidwayLeavesNoCpuBehind() {
        var scenario = scenario(
                device(GPU),
                "{'op':'load'}",
                timer(GPU, "t", "noop"),
                "{'op':'queue-work','device':'" + GPU + "','delayNs':1000000000,'as':'w'}",
                "{'op':'start-callback','timer':'t'}",
                "{'op':'unbind','device':'" + GPU + "'}",
                "{'op':'finish-callback','work':'w'}");

        var refused = catchThrowableOfType(ScenarioException.class, () -> runner.run(scenario, Optional.empty()));

        assertThat(refused.step()).isEqualTo(6);
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().startsWith("scenario-")));
    }

    // --- a scenario in the kernel's words, with ' for " ---

    private ScenarioResult run(Policy policy, String... steps) {
        return runner.run(scenario(steps), Optional.of(policy));
    }

    private static Scenario scenario(String... steps) {
        return Scenario.parse(("{'name':'story','steps':[" + String.join(",", steps) + "]}").replace('\'', '"'));
    }

    /** Two GPUs, each with a periodic timer (a, b), a's callback in flight; then the steps given (from index 6). */
    private static String[] twoGpusWithACallbackInFlight(String... then) {
        var steps = new ArrayList<>(List.of(device(GPU), device(OTHER_GPU), "{'op':'load'}",
                timer(GPU, "a", "noop"), timer(OTHER_GPU, "b", "noop"), "{'op':'start-callback','timer':'a'}"));
        steps.addAll(List.of(then));
        return steps.toArray(String[]::new);
    }

    private static String device(String address) {
        return "{'op':'create-device','chipset':'GA102','address':'" + address + "'}";
    }

    private static String timer(String device, String alias, String action) {
        return "{'op':'arm-timer','device':'" + device + "','mode':'periodic','delayNs':1000000,'periodNs':1000000,"
                + "'action':'" + action + "','as':'" + alias + "'}";
    }

    private static List<Integer> blockedUntil(ScenarioResult run) {
        return run.steps().stream().map(ScenarioResult.StepResult::blockedUntil).toList();
    }

    private static List<String> types(ScenarioResult run) {
        return run.events().stream().map(ScenarioResult.Event::type).toList();
    }
}
