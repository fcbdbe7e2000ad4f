package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The digests of the built-in scenarios and of a few stories (failed expectations of every kind,
 * steps that wait for a callback in flight, callbacks still in flight at the end), under every policy,
 * as the build before issue 14 computed them. A redesign of the runner keeps every byte of a result;
 * a digest that moves says which run changed. {@code -Ddigests.write=path} writes the table anew.
 */
class ScenarioDigestsTest {

    private static final String GPU = "0000:01:00.0";

    /**
     * Stories beyond the built-ins: what the built-ins, which all pass, never write (and, since issue 16,
     * a bind that waits behind a deadlock, with khungtaskd's report repeated after a second timeout).
     */
    private static final Map<String, String[]> STORIES = Map.of(
            "expectations-that-fail", new String[] {
                "{'op':'create-device','chipset':'GA102','address':'" + GPU + "'}",
                "{'op':'load'}",
                "{'op':'bind','device':'" + GPU + "','expect':{'errno':'ENODEV'}}",
                "{'op':'read-mmio','device':'" + GPU + "','offset':'0x0','expect':{'value':'0x0'}}",
                "{'op':'unbind','device':'0000:09:00.0'}",
                "{'op':'bind','device':'" + GPU + "','expect':{'value':'bound'}}",
                "{'op':'expect','violations':[{'kind':'timer_free_active','count':1}],'taints':['timer_after_remove']}",
                "{'op':'expect','none':true}"},
            "steps-wait-for-callbacks-in-flight", new String[] {
                "{'op':'create-device','chipset':'GA102','address':'" + GPU + "'}",
                "{'op':'load'}",
                "{'op':'arm-timer','device':'" + GPU + "','mode':'periodic','delayNs':1000000,'periodNs':1000000,"
                        + "'action':'touch-bar','as':'t'}",
                "{'op':'start-callback','timer':'t'}",
                "{'op':'read-mmio','device':'" + GPU + "','offset':'0x0','expect':{'value':'0x172000a1'}}",
                "{'op':'unbind','device':'" + GPU + "'}",
                "{'op':'bind','device':'" + GPU + "','expect':{'errno':'success'}}",
                "{'op':'finish-callback','timer':'t'}",
                "{'op':'read-mmio','device':'" + GPU + "','offset':'0x0'}",
                "{'op':'arm-timer','device':'" + GPU + "','mode':'periodic','delayNs':1000000,'periodNs':1000000,"
                        + "'action':'touch-bar','as':'u'}",
                "{'op':'start-callback','timer':'u'}",
                "{'op':'unbind','device':'" + GPU + "'}",
                "{'op':'expect','none':true}"},
            "steps-behind-a-deadlock", new String[] {
                "{'op':'create-device','chipset':'GA102','address':'" + GPU + "'}",
                "{'op':'set-faults','faults':{'cancelUnderLock':true}}",
                "{'op':'load'}",
                "{'op':'arm-timer','device':'" + GPU + "','mode':'oneshot','delayNs':1000000,'action':'lock','as':'t'}",
                "{'op':'start-callback','timer':'t'}",
                "{'op':'unbind','device':'" + GPU + "'}",
                "{'op':'finish-callback','timer':'t'}",
                "{'op':'bind','device':'" + GPU + "'}",
                "{'op':'advance','ns':240000000000}",
                "{'op':'expect','violations':[{'kind':'hung_task','count':2}]}"});

    private final ScenarioRunner runner = new ScenarioRunner();

    @Test
    void everyRunKeepsTheDigestItHadBeforeTheRedesign() throws IOException {
        var expected = new LinkedHashMap<String, String>();
        for (String line : table().lines().filter(l -> !l.isBlank()).toList()) {
            var words = line.split(" ");
            expected.put(words[0] + " " + words[1], words[2]);
        }
        var actual = digests();
        var written = System.getProperty("digests.write");
        if (written != null) {
            var lines = new ArrayList<String>();
            actual.forEach((run, digest) -> lines.add(run + " " + digest));
            Files.write(Path.of(written), lines);
        }
        assertThat(actual).containsExactlyEntriesOf(expected);
    }

    /** The stories write what the built-ins never do: failed expectations, and steps that waited (13, 10: at the end). */
    @Test
    void theStoriesWriteFailedExpectationsAndStepsThatWaited() {
        var failing = runner.run(story("f", STORIES.get("expectations-that-fail")), Optional.of(Policy.FENCED));
        assertThat(failing.steps()).extracting(ScenarioResult.StepResult::expectation).containsExactly(null, null,
                "failed: expected ENODEV, got EBUSY", "failed: expected 0x0, got 0x172000a1",
                "failed: unexpected ENODEV", "failed: unexpected EBUSY",
                "failed: timer_free_active: expected 1, found 0; expected taints [timer_after_remove], found []",
                "passed");
        var waiting = runner.run(story("w", STORIES.get("steps-wait-for-callbacks-in-flight")), Optional.of(Policy.FENCED));
        assertThat(waiting.steps()).extracting(ScenarioResult.StepResult::blockedUntil)
                .containsExactly(null, null, null, null, null, 7, 7, null, null, null, null, 13, null);
        var deadlocked = runner.run(story("d", STORIES.get("steps-behind-a-deadlock")), Optional.of(Policy.FENCED));
        assertThat(deadlocked.passed()).as("%s", deadlocked.steps()).isTrue();
        assertThat(deadlocked.steps()).extracting(ScenarioResult.StepResult::blockedUntil)
                .containsExactly(null, null, null, null, null, 10, null, 10, null, null);
    }

    private Map<String, String> digests() {
        var digests = new LinkedHashMap<String, String>();
        var scenarios = new ArrayList<>(Scenarios.all());
        STORIES.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(story -> scenarios.add(story(story.getKey(), story.getValue())));
        for (var scenario : scenarios) {
            for (Policy policy : Policy.values()) {
                digests.put(scenario.name() + " " + policy.name().toLowerCase(),
                        runner.run(scenario, Optional.of(policy)).digest());
            }
        }
        return digests;
    }

    private static Scenario story(String name, String... steps) {
        return Scenario.parse(("{'name':'" + name + "','steps':[" + String.join(",", steps) + "]}").replace('\'', '"'));
    }

    private static String table() throws IOException {
        try (InputStream in = ScenarioDigestsTest.class.getResourceAsStream("digests.txt")) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
