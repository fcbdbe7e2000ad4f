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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A teardown held between two of its steps ({@code pauseAt}, {@code resume}), told as a schedule
 * explorer's reproducer would: remove() forgot the timer's cancel, the unbind is held before a devres
 * entry, the timer fires there, the unbind goes on. What each policy reports depends on exactly where
 * it was held; the result is the same every run; a run that ends while one is held leaves no CPU behind.
 */
class HeldTeardownTest {

    private static final String GPU = "0000:01:00.0";
    private static final String OTHER_GPU = "0000:02:00.0";

    private final ScenarioRunner runner = new ScenarioRunner();

    @AfterEach
    void noCpuIsLeftParked() {
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().startsWith("scenario-")));
    }

    /**
     * Held before the driver data is dropped, the timer remove() forgot fires: revocable's BAR is still
     * mapped (no harm), and the drop then cancels the timer it finds armed (the save); fenced's fires after
     * remove() returned. Held before BAR0 is unmapped, the data is gone: revocable's drop has already
     * cancelled the timer, so nothing fires; fenced freed the data under the armed timer, which then fires.
     * Meanwhile a sysfs read still reaches revocable's BAR (it is revoked after this point); fenced's
     * remove() drained the attribute.
     */
    @ParameterizedTest(name = "held at {0} under {1}")
    @CsvSource(delimiter = '|', value = {
        "devres:driver data    | revocable | 1 | value:0x172000a1 | timer_free_active/prevented",
        "devres:driver data    | fenced    | 1 | errno:ENODEV     | timer_after_remove/occurred",
        "devres:pci_iomap BAR0 | revocable | 0 | value:0x172000a1 | timer_free_active/prevented",
        "devres:pci_iomap BAR0 | fenced    | 1 | errno:ENODEV     | timer_free_active/occurred timer_after_remove/occurred"})
    void aTimerRemoveForgotFiresWhileTheUnbindIsHeldBeforeADevresEntry(String point, String policy, int fired,
                                                                        String read, String violations) {
        var run = run(Policy.valueOf(policy.toUpperCase()),
                device(GPU),
                "{'op':'set-faults','faults':{'forgetTimerCancel':true}}",
                "{'op':'load'}",
                timer(GPU, "t"),
                "{'op':'unbind','device':'" + GPU + "','pauseAt':'" + point + "'}",   // 4
                "{'op':'advance','ns':1500000}",
                "{'op':'read-mmio','device':'" + GPU + "','offset':'0x0','expect':{'" + read.replace(":", "':'") + "'}}",
                "{'op':'resume'}",                                                    // 7
                "{'op':'bind','device':'" + GPU + "'}");

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(run.steps().get(4).value()).isEqualTo("held at " + GPU + " " + point);
        assertThat(run.steps().get(4).blockedUntil()).isEqualTo(7);
        assertThat(run.steps().get(5).value()).isEqualTo(fired + " callbacks ran; now 1500000 ns");
        assertThat(run.steps().get(7).value())
                .isEqualTo("step 4 (unbind " + GPU + ") let go at " + GPU + " " + point + "; completed");
        assertThat(run.violations()).extracting(v -> v.kind() + "/" + v.outcome())
                .containsExactly(violations.split(" "));
        assertThat(types(run)).containsSubsequence("driver.removed", "devres.released", "driver.unbound",
                "driver.probe", "driver.bound");
    }

    /**
     * An unload held where the exit function begins and where it has returned, a module-scope timer
     * module_exit forgot still armed: it fires on text that is not freed yet (nothing to see) at both,
     * and only once the unload has gone on does it jump into freed text.
     */
    @Test
    void aModuleTimerFiresWhileTheUnloadIsHeldAtModuleExitThenAtModuleFreeAndOnlyAfterwardsIntoFreedText() {
        var run = run(Policy.FENCED,
                device(GPU),
                "{'op':'set-faults','faults':{'forgetTimerCancel':true}}",
                "{'op':'load'}",
                "{'op':'arm-timer','device':'" + GPU + "','mode':'periodic','delayNs':1000000,'periodNs':1000000,"
                        + "'scope':'module','as':'m'}",
                "{'op':'unload','pauseAt':'module_exit'}",                                    // 4
                "{'op':'advance','ns':1000000,'expect':{'value':'1 callbacks ran; now 1000000 ns'}}",
                "{'op':'resume','pauseAt':'module_free'}",                                    // 6
                "{'op':'advance','ns':1000000,'expect':{'value':'1 callbacks ran; now 2000000 ns'}}",
                "{'op':'expect','none':true}",
                "{'op':'resume'}",                                                            // 9
                "{'op':'advance','ns':1000000}",
                "{'op':'expect','violations':[{'kind':'exec_after_unload','outcome':'occurred','count':1}]}");

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(run.steps().get(4).value()).isEqualTo("held at nova-core module_exit, then at nova-core module_free");
        assertThat(run.steps().get(4).blockedUntil()).isEqualTo(9);
        assertThat(run.steps().get(6).value()).isEqualTo(
                "step 4 (rmmod nova-core) let go at nova-core module_exit; held at nova-core module_free");
        assertThat(types(run)).containsSubsequence("timer.fired", "driver.unbound", "module.exit", "timer.fired",
                "module.unloaded", "violation.exec_after_unload");
    }

    /**
     * The unbind begins while the timer's callback is in flight: remove()'s hrtimer_cancel waits for it on
     * the way to the point, resume is refused meanwhile, and finish-callback lets it go on to its hold.
     */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aTeardownThatWaitsForACallbackOnItsWayIsHeldOnceTheCallbackHasFinished(Policy policy) {
        var steps = new String[] {
            device(GPU),
            "{'op':'load'}",
            timer(GPU, "t"),
            "{'op':'start-callback','timer':'t'}",
            "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:driver data'}",     // 4: waits for t
            "{'op':'finish-callback','timer':'t','expect':{'value':'t finished'}}",       // 5: held now
            "{'op':'advance','ns':5000000,'expect':{'value':'0 callbacks ran; now 6000000 ns'}}",
            "{'op':'resume'}",                                                            // 7
            "{'op':'expect','none':true}"};
        var run = run(policy, steps);

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(run.steps().get(4).value()).isEqualTo("held at " + GPU + " devres:driver data");
        assertThat(run.steps().get(4).blockedUntil()).isEqualTo(7);

        var early = java.util.Arrays.copyOf(steps, 6);
        early[5] = "{'op':'resume'}";
        var refused = catchThrowableOfType(ScenarioException.class, () -> run(policy, early));
        assertThat(refused.step()).isEqualTo(5);
        assertThat(refused.getMessage()).isEqualTo("step 5: step 4 (unbind " + GPU + ") is not held yet: it waits for t on its way to "
                + GPU + " devres:driver data; finish that callback first");
    }

    /**
     * Let go while the timer's callback is in flight, revocable's drop shuts the timer down and so waits for
     * that callback: the unbind completes in its finish-callback. Fenced frees the data without waiting.
     */
    @ParameterizedTest(name = "under {0}")
    @CsvSource({"REVOCABLE, 'it waits for t', 7", "FENCED, completed, 6"})
    void aTeardownLetGoThatWaitsForTheCallbackInFlightCompletesWhenItFinishes(Policy policy, String now, int until) {
        var run = run(policy,
                device(GPU),
                "{'op':'set-faults','faults':{'forgetTimerCancel':true}}",
                "{'op':'load'}",
                timer(GPU, "t"),
                "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:driver data'}",     // 4
                "{'op':'start-callback','timer':'t'}",
                "{'op':'resume'}",                                                            // 6
                "{'op':'finish-callback','timer':'t'}");                                     // 7

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(run.steps().get(6).value())
                .isEqualTo("step 4 (unbind " + GPU + ") let go at " + GPU + " devres:driver data; " + now);
        assertThat(run.steps().get(4).blockedUntil()).isEqualTo(until);
    }

    /** Let go towards a next point, the drop waits for the callback in flight first, then holds there. */
    @Test
    void aTeardownLetGoTowardsANextPointThatWaitsForACallbackIsHeldThereOnceItHasFinished() {
        var run = run(Policy.REVOCABLE,
                device(GPU),
                "{'op':'set-faults','faults':{'forgetTimerCancel':true}}",
                "{'op':'load'}",
                timer(GPU, "t"),
                "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:driver data'}",     // 4
                "{'op':'start-callback','timer':'t'}",
                "{'op':'resume','pauseAt':'devres:pci_iomap BAR0','expect':{'value':'step 4 (unbind " + GPU
                        + ") let go at " + GPU + " devres:driver data; it waits for t'}}",   // 6
                "{'op':'finish-callback','timer':'t','expect':{'value':'t finished'}}",       // 7: held again
                "{'op':'advance','ns':5000000,'expect':{'value':'0 callbacks ran; now 6000000 ns'}}",
                "{'op':'resume'}");                                                           // 9

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(run.steps().get(4).value())
                .isEqualTo("held at " + GPU + " devres:driver data, then at " + GPU + " devres:pci_iomap BAR0");
        assertThat(run.steps().get(4).blockedUntil()).isEqualTo(9);
        assertThat(types(run)).containsSubsequence("timer.fired", "timer.cancelled", "driver.freed", "driver.unbound");
    }

    /** A bind behind the held unbind's device lock waits until the unbind ends, through a second hold. */
    @Test
    void aBindBehindAHeldUnbindCompletesWhenTheUnbindDoes() {
        long started = System.nanoTime();
        var run = run(Policy.FENCED,
                device(GPU),
                "{'op':'load'}",
                "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:driver data'}",     // 2
                "{'op':'bind','device':'" + GPU + "'}",                                       // 3: waits for 2
                "{'op':'resume','pauseAt':'devres:pci_enable_device'}",
                "{'op':'read-mmio','device':'" + GPU + "','offset':'0x0','expect':{'errno':'ENODEV'}}",
                "{'op':'resume'}",                                                            // 6
                "{'op':'read-mmio','device':'" + GPU + "','offset':'0x0','expect':{'value':'0x172000a1'}}");

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(run.steps()).extracting(ScenarioResult.StepResult::blockedUntil)
                .containsExactly(null, null, 6, 6, null, null, null, null);
        assertThat(types(run)).containsSubsequence("driver.unbound", "driver.probe", "driver.bound");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no patience waited out")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aTeardownThatEndsWithoutReachingItsPointIsRefusedNamingThePoint() {
        var refused = catchThrowableOfType(ScenarioException.class, () -> run(Policy.FENCED,
                device(GPU), "{'op':'load'}",
                "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:no such entry'}"));

        assertThat(refused.step()).isEqualTo(2);
        assertThat(refused.getMessage()).startsWith("step 2: the teardown ended without reaching " + GPU + " devres:no such entry;");

        var surprise = catchThrowableOfType(ScenarioException.class, () -> run(Policy.FENCED,
                device(GPU), "{'op':'load'}",
                "{'op':'surprise-removal','device':'" + GPU + "','pauseAt':'devres:driver data'}"));
        assertThat(surprise.getMessage()).as("the driver stays bound: nothing is torn down")
                .startsWith("step 2: the teardown ended without reaching " + GPU + " devres:driver data;");

        var failed = catchThrowableOfType(ScenarioException.class, () -> run(Policy.FENCED,
                device(GPU), "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:driver data'}"));
        assertThat(failed.getMessage()).contains("(it failed with ENODEV: " + GPU + " is not bound to nova-core)");

        var resumedPast = catchThrowableOfType(ScenarioException.class, () -> run(Policy.FENCED,
                device(GPU), "{'op':'load'}",
                "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:pci_iomap BAR0'}",
                "{'op':'resume','pauseAt':'devres:driver data'}"));
        assertThat(resumedPast.step()).as("driver data is released before BAR0: passed already").isEqualTo(3);
        assertThat(resumedPast.getMessage()).startsWith("step 3: the teardown ended without reaching " + GPU + " devres:driver data");
    }

    @Test
    void oneTeardownIsHeldAtATimeAndResumeNeedsOne() {
        var second = catchThrowableOfType(ScenarioException.class, () -> run(Policy.FENCED,
                device(GPU), device(OTHER_GPU), "{'op':'load'}",
                "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:driver data'}",
                "{'op':'unbind','device':'" + OTHER_GPU + "','pauseAt':'devres:driver data'}"));
        assertThat(second.step()).isEqualTo(4);
        assertThat(second.getMessage()).isEqualTo(
                "step 4: one teardown is held at a time, and step 3 (unbind " + GPU + ") is held: resume it first");

        var nothing = catchThrowableOfType(ScenarioException.class, () -> run(Policy.FENCED,
                device(GPU), "{'op':'load'}", "{'op':'resume'}"));
        assertThat(nothing.step()).isEqualTo(2);
        assertThat(nothing.getMessage()).startsWith("step 2: no teardown is held");

        var twice = catchThrowableOfType(ScenarioException.class, () -> run(Policy.FENCED,
                device(GPU), "{'op':'load'}",
                "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:driver data'}",
                "{'op':'resume'}", "{'op':'resume'}"));
        assertThat(twice.step()).isEqualTo(4);
        assertThat(twice.getMessage()).startsWith("step 4: no teardown is held");
    }

    /** The run's end lets the held teardown go, as the machine would: it completes then, and no CPU stays parked. */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aRunThatEndsWhileATeardownIsHeldLetsItGoAndLeavesNoCpuBehind(Policy policy) {
        var run = run(policy,
                device(GPU),
                "{'op':'load'}",
                timer(GPU, "t"),
                "{'op':'remove-device','device':'" + GPU + "','pauseAt':'devres:pci_enable_device'}",
                "{'op':'advance','ns':5000000,'expect':{'value':'0 callbacks ran; now 5000000 ns'}}");

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(run.steps().get(3).blockedUntil()).isEqualTo(5);
        assertThat(run.steps().get(3).value()).isEqualTo("held at " + GPU + " devres:pci_enable_device");
        assertThat(types(run)).endsWith("driver.unbound", "pci.removed");
    }

    /** Still on its way to its point when the run ends: it passes the point once its callback has finished. */
    @Test
    void aRunThatEndsWhileATeardownWaitsOnItsWayLetsItPassItsPoint() {
        var run = run(Policy.FENCED,
                device(GPU),
                "{'op':'load'}",
                timer(GPU, "t"),
                "{'op':'start-callback','timer':'t'}",
                "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:driver data'}");

        assertThat(run.passed()).as("%s", run.steps()).isTrue();
        assertThat(run.steps().get(4).blockedUntil()).isEqualTo(5);
        assertThat(run.steps().get(4).value()).as("never held").isNull();
        assertThat(types(run)).endsWith("driver.unbound");
    }

    @Test
    void aRunRefusedWhileATeardownIsHeldLeavesNoCpuBehind() {
        var refused = catchThrowableOfType(ScenarioException.class, () -> run(Policy.REVOCABLE,
                device(GPU), "{'op':'load'}",
                "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:driver data'}",
                "{'op':'finish-callback','timer':'nope'}"));

        assertThat(refused).isNotNull();
        // noCpuIsLeftParked checks the threads
    }

    /** The same scenario with pauses, resumes and a callback in flight, twenty times: one digest. */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aScenarioWithHeldTeardownsGivesTheSameResultEveryRun(Policy policy) {
        var scenario = scenario(
                device(GPU), device(OTHER_GPU),
                "{'op':'set-faults','faults':{'forgetTimerCancel':true}}",
                "{'op':'load'}",
                timer(GPU, "t"), timer(OTHER_GPU, "u"),
                "{'op':'unbind','device':'" + GPU + "','pauseAt':'devres:driver data'}",
                "{'op':'advance','ns':1500000}",
                "{'op':'start-callback','timer':'u'}",
                "{'op':'read-mmio','device':'" + OTHER_GPU + "','offset':'0x0'}",
                "{'op':'resume','pauseAt':'devres:pci_iomap BAR0'}",
                "{'op':'finish-callback','timer':'u'}",
                "{'op':'advance','ns':1000000}",
                "{'op':'resume'}",
                "{'op':'unload','pauseAt':'" + OTHER_GPU + " devres:driver data'}",
                "{'op':'advance','ns':1000000}");
        Set<String> digests = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            var run = runner.run(scenario, Optional.of(policy));
            assertThat(run.passed()).as("run %d: %s", i, run.steps()).isTrue();
            digests.add(run.digest());
        }
        assertThat(digests).as("one digest over 20 runs").hasSize(1);
    }

    @Test
    void aPointIsWrittenWithoutItsOwnerAndAnAliasAtItsEndBecomesTheObjectsId() {
        var names = new RunNames();
        names.file("f", 7);

        assertThat(HoldSteps.point(GPU, "devres:driver data", names)).isEqualTo(GPU + " devres:driver data");
        assertThat(HoldSteps.point(GPU, "remove:pci_iounmap", names))
                .isEqualTo(GPU + " remove:pci_iounmap");
        assertThat(HoldSteps.point(GPU, "module_exit", names)).isEqualTo("nova-core module_exit");
        assertThat(HoldSteps.point("nova-core", OTHER_GPU + " devres:driver data", names))
                .isEqualTo(OTHER_GPU + " devres:driver data");
        assertThat(HoldSteps.point(GPU, "remove:file_disconnect:f", names)).isEqualTo(GPU + " remove:file_disconnect:7");
        assertThat(HoldSteps.point(GPU, "remove:hrtimer_cancel:unknown", names))
                .isEqualTo(GPU + " remove:hrtimer_cancel:unknown");
        assertThat(HoldSteps.point(GPU, "devres:f", names)).as("one colon: no alias").isEqualTo(GPU + " devres:f");
    }

    @Test
    void pauseAtIsTakenOnlyByTeardownsAndIsNeverBlank() {
        var blank = catchThrowableOfType(ScenarioException.class, () -> scenario(device(GPU),
                "{'op':'unbind','device':'" + GPU + "','pauseAt':' '}"));
        assertThat(blank.getMessage()).startsWith("step 1: 'pauseAt' names a teardown point");

        var bind = catchThrowableOfType(ScenarioException.class, () -> scenario(device(GPU),
                "{'op':'bind','device':'" + GPU + "','pauseAt':'devres:driver data'}"));
        assertThat(bind.getMessage()).startsWith("step 1: bind takes no argument 'pauseAt'");
    }

    // --- a scenario in the kernel's words, with ' for " ---

    private ScenarioResult run(Policy policy, String... steps) {
        return runner.run(scenario(steps), Optional.of(policy));
    }

    private static Scenario scenario(String... steps) {
        return Scenario.parse(("{'name':'story','steps':[" + String.join(",", steps) + "]}").replace('\'', '"'));
    }

    private static String device(String address) {
        return "{'op':'create-device','chipset':'GA102','address':'" + address + "'}";
    }

    /** A periodic timer every ms whose callback reads BAR0. */
    private static String timer(String device, String alias) {
        return "{'op':'arm-timer','device':'" + device + "','mode':'periodic','delayNs':1000000,'periodNs':1000000,"
                + "'action':'touch-bar','as':'" + alias + "'}";
    }

    private static List<String> types(ScenarioResult run) {
        return run.events().stream().map(ScenarioResult.Event::type).toList();
    }
}
