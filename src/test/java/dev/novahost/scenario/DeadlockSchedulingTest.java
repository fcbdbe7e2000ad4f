package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.novahost.kernel.Policy;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scheduler when a callback deadlocks: {@code finish-callback} recognises the callback asleep in a
 * leaf wait (no waiting out the patience), names the wait and its holder, and the run goes on; steps that
 * wait behind the deadlock complete when the machine shuts down at the end, in the order they blocked; the
 * result is the same every run, and no CPU thread is left parked.
 */
class DeadlockSchedulingTest {

    private static final String GPU = "0000:01:00.0";
    private static final int RUNS = 25;

    private final ScenarioRunner runner = new ScenarioRunner();

    @AfterEach
    void noCpuIsLeftParked() {
        await().atMost(Duration.ofSeconds(10)).until(() -> scenarioThreads().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hrtimer-cancel-under-driver-lock", "work-cancels-itself-on-remove",
        "work-flushes-its-own-queue", "free-irq-under-driver-lock"})
    void aDeadlockBuiltInGivesTheSameResultEveryRun(String name) {
        var scenario = Scenarios.named(name).orElseThrow();
        for (Policy policy : Policy.values()) {
            Set<String> digests = new HashSet<>();
            for (int i = 0; i < RUNS; i++) {
                var run = runner.run(scenario, Optional.of(policy));
                assertThat(run.passed()).as("%s under %s, run %d: %s", name, policy, i, run.steps()).isTrue();
                digests.add(run.digest());
            }
            assertThat(digests).as("%s under %s: one digest over %d runs", name, policy, RUNS).hasSize(1);
        }
    }

    /**
     * Without deadlock recognition the finish-callback waited out its patience (10 s) and refused the
     * scenario ("did not return: does it wait for a step that waits for it?").
     */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aDeadlockedCallbackIsNamedTheRunGoesOnAndWhatWaitsBehindItCompletesAtTheEnd(Policy policy) {
        // srcu: the callback takes &nd->lock inside its read-side section, so its first run closes the circle
        // twice, directly and through (hrtimer) -> (srcu)BAR0 -> &nd->lock
        int circles = policy == Policy.SRCU ? 2 : 1;
        long started = System.nanoTime();
        var run = run(policy,
                deadlockOnGpu(),                                                                   // 0-6
                "{'op':'bind','device':'" + GPU + "'}",                                            // 7: waits for the device lock
                "{'op':'advance','ns':1000000}",                                                   // 8
                "{'op':'expect','violations':[{'kind':'deadlock_possible','count':" + circles + "},"
                        + "{'kind':'hung_task','count':0}]}");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("recognised, not waited out")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(run.steps().get(6).value())
                .isEqualTo("t is blocked on &nd->lock of " + GPU + " held by unbind " + GPU + ": deadlock");
        assertThat(run.steps()).extracting(ScenarioResult.StepResult::blockedUntil)
                .containsExactly(null, null, null, null, null, 10, null, 10, null, null);
        assertThat(run.steps().get(5).ok()).as("the unbind, once the wait is broken").isTrue();
        assertThat(run.steps().get(7).ok()).as("the bind behind it").isTrue();
        assertThat(types(run)).containsSubsequence("timer.fired", "driver.remove", "lockdep.circular",
                "wait.aborted", "timer.stopped", "driver.removed", "driver.unbound", "driver.probe", "driver.bound");
        assertThat(run.events()).filteredOn(e -> e.type().equals("wait.aborted")).singleElement()
                .satisfies(e -> assertThat(e.message()).isEqualTo(
                        "nova_timer_fn timer 1: wait for &nd->lock of " + GPU + " aborted by host shutdown"));
    }

    @Test
    void aDeadlockedCallbackCanNeitherFinishNorStartAgain() {
        var finishAgain = catchThrowableOfType(ScenarioException.class, () -> run(Policy.FENCED,
                deadlockOnGpu(), "{'op':'finish-callback','timer':'t'}"));
        assertThat(finishAgain.step()).isEqualTo(7);
        assertThat(finishAgain.getMessage()).contains("t's callback is deadlocked: it ends with the run");

        var startAgain = catchThrowableOfType(ScenarioException.class, () -> run(Policy.FENCED,
                deadlockOnGpu(), "{'op':'start-callback','timer':'t'}"));
        assertThat(startAgain.step()).isEqualTo(7);
        assertThat(startAgain.getMessage()).contains("t already has a callback in flight");
    }

    /** The callback still in flight when the steps run out deadlocks as the run finishes it; the shutdown then breaks it. */
    @Test
    void aCallbackThatDeadlocksAsTheRunFinishesItEndsWithTheShutdown() {
        var run = run(Policy.REVOCABLE,
                "{'op':'create-device','chipset':'GA102','address':'" + GPU + "'}",
                "{'op':'set-faults','faults':{'cancelUnderLock':true}}",
                "{'op':'load'}",
                "{'op':'arm-timer','device':'" + GPU + "','mode':'oneshot','delayNs':1000000,'action':'lock','as':'t'}",
                "{'op':'start-callback','timer':'t'}",
                "{'op':'unbind','device':'" + GPU + "'}");

        assertThat(run.passed()).isTrue();
        assertThat(run.steps()).extracting(ScenarioResult.StepResult::blockedUntil)
                .containsExactly(null, null, null, null, null, 6);
        assertThat(types(run)).containsSubsequence("wait.aborted", "timer.stopped", "driver.unbound");
    }

    /**
     * Steps run as their task, whatever thread runs them: lockdep names the unbind, not the thread, so a run
     * from the server's kind of caller (a virtual thread, handed to a platform thread) and one from here agree.
     */
    @Test
    void stepsRunAsTheirTaskSoTheResultDoesNotDependOnTheCallersThread() throws Exception {
        var scenario = Scenarios.named("hrtimer-cancel-under-driver-lock").orElseThrow();
        var here = runner.run(scenario, Optional.of(Policy.FENCED));
        ScenarioResult fromVirtual;
        try (var virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            fromVirtual = CompletableFuture.supplyAsync(() -> runner.run(scenario, Optional.of(Policy.FENCED)), virtual).get();
        }

        assertThat(fromVirtual.digest()).isEqualTo(here.digest());
        assertThat(here.violations()).filteredOn(v -> v.kind().equals("deadlock_possible")).singleElement()
                .satisfies(v -> assertThat(v.object()).isEqualTo("unbind 0000:01:00.0"));
    }

    // --- a scenario in the kernel's words, with ' for " ---

    /** Steps 0-6: cancelUnderLock, a lock timer t whose callback is in flight, the unbind (5) behind it, t let go: deadlock. */
    private static String deadlockOnGpu() {
        return String.join(",",
                "{'op':'create-device','chipset':'GA102','address':'" + GPU + "'}",
                "{'op':'set-faults','faults':{'cancelUnderLock':true}}",
                "{'op':'load'}",
                "{'op':'arm-timer','device':'" + GPU + "','mode':'oneshot','delayNs':1000000,'action':'lock','as':'t'}",
                "{'op':'start-callback','timer':'t'}",
                "{'op':'unbind','device':'" + GPU + "'}",
                "{'op':'finish-callback','timer':'t'}");
    }

    private ScenarioResult run(Policy policy, String... steps) {
        return runner.run(Scenario.parse(("{'name':'story','steps':[" + String.join(",", steps) + "]}")
                .replace('\'', '"')), Optional.of(policy));
    }

    private static List<String> types(ScenarioResult run) {
        return run.events().stream().map(ScenarioResult.Event::type).toList();
    }

    private static List<String> scenarioThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("scenario-")).toList();
    }
}
