package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.novahost.scenario.RunSlots;
import dev.novahost.scenario.ScenarioBudget;
import dev.novahost.scenario.ScenarioRunner;
import dev.novahost.scenario.Scenarios;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

/**
 * Scenarios over HTTP: the built-ins are listed, run by name or given inline, under one policy or
 * compared under both, each in a kernel of its own; a bad scenario is a problem that names its step,
 * and the live host never notices.
 */
class ScenarioApiTest extends ApiTest {

    private static final String RUN = "/api/v1/scenarios/run";

    @Test
    void listsEveryBuiltInWithWhatTheThreadSaid() throws Exception {
        var listed = getJson("/api/v1/scenarios").andExpect(status().isOk())
                .andExpect(jsonPath("$.length()").value(Scenarios.BUILT_IN.size()))
                .andExpect(jsonPath("$[0].name").value("timer-fires-after-unbind"))
                .andExpect(jsonPath("$[0].steps").value(10))
                .andReturn().getResponse().getContentAsString();

        for (String name : Scenarios.BUILT_IN) {
            assertThat(listed).contains("\"name\":\"" + name + "\"");
        }
    }

    @Test
    void runsABuiltInUnderBothPoliciesSideBySide() throws Exception {
        postJson(RUN, "{\"name\":\"timer-fires-after-unbind\",\"policies\":[\"revocable\",\"fenced\"]}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.violations.revocable['timer_free_active/prevented']").value(1))
                .andExpect(jsonPath("$.violations.revocable.length()").value(1))
                .andExpect(jsonPath("$.violations.fenced['timer_free_active/occurred']").value(1))
                .andExpect(jsonPath("$.violations.fenced['timer_after_remove/occurred']").value(1))
                .andExpect(jsonPath("$.runs.revocable.policy").value("revocable"))
                .andExpect(jsonPath("$.runs.revocable.passed").value(true))
                .andExpect(jsonPath("$.runs.fenced.passed").value(true))
                .andExpect(jsonPath("$.runs.fenced.violations[1].kind").value("timer_after_remove"))
                .andExpect(jsonPath("$.runs.fenced.digest").isString());
    }

    /** README's "Write your own remove()": BAR0 unmapped before the cancel of a timer in flight (issue 18). */
    @Test
    void runsAWrittenRemoveOrderWhoseTargetsAreAliases() throws Exception {
        String body = """
                {"policies": ["revocable", "fenced"], "scenario": {"name": "iounmap-first", "steps": [
                  {"op": "create-device", "chipset": "GA102", "address": "0000:01:00.0"},
                  {"op": "load"},
                  {"op": "arm-timer", "device": "0000:01:00.0", "mode": "periodic", "delayNs": 1000000,
                   "periodNs": 1000000, "action": "touch-bar", "as": "t"},
                  {"op": "set-faults", "faults": {"remove": ["free_irq", "pci_iounmap", "hrtimer_cancel:t"]}},
                  {"op": "advance", "ns": 2500000},
                  {"op": "start-callback", "timer": "t"},
                  {"op": "unbind", "device": "0000:01:00.0"},
                  {"op": "finish-callback", "timer": "t"}]}}""";

        postJson(RUN, body).andExpect(status().isOk())
                .andExpect(jsonPath("$.violations.revocable['mmio_after_revoke/prevented']").value(1))
                .andExpect(jsonPath("$.violations.revocable.length()").value(1))
                .andExpect(jsonPath("$.violations.fenced['mmio_after_revoke/occurred']").value(1))
                .andExpect(jsonPath("$.violations.fenced.length()").value(1))
                .andExpect(jsonPath("$.runs.fenced.events[?(@.type == 'driver.remove-step')].message")
                        .value(org.hamcrest.Matchers.contains("nova-core 0000:01:00.0: remove() step free_irq",
                                "nova-core 0000:01:00.0: remove() step pci_iounmap",
                                "nova-core 0000:01:00.0: remove() step hrtimer_cancel:1")));
    }

    @Test
    void runsABuiltInOnceWithoutPolicies() throws Exception {
        postJson(RUN, "{\"name\":\"unload-with-open-file-pin\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.scenario").value("unload-with-open-file-pin"))
                .andExpect(jsonPath("$.policy").value("revocable"))
                .andExpect(jsonPath("$.steps[3].errno").value("EWOULDBLOCK"))
                .andExpect(jsonPath("$.steps[3].expectation").value("passed"))
                .andExpect(jsonPath("$.violations.length()").value(0));
    }

    @Test
    void runsAnInlineScenarioAndTheSameOneGivesTheSameDigest() throws Exception {
        String body = """
                {"scenario": {"name": "inline", "seed": 7, "steps": [
                  {"op": "create-device", "chipset": "GA102", "address": "0000:01:00.0"},
                  {"op": "set-faults", "faults": {"forgetFileDisconnect": true}},
                  {"op": "load"},
                  {"op": "open-file", "device": "0000:01:00.0", "as": "f"},
                  {"op": "unbind", "device": "0000:01:00.0"},
                  {"op": "file-read", "file": "f", "offset": "0x0", "expect": {"errno": "ENXIO"}},
                  {"op": "expect", "violations": [{"kind": "mmio_after_revoke", "count": 1}]}]},
                 "policies": ["fenced"]}""";

        String first = postJson(RUN, body).andExpect(status().isOk())
                .andExpect(jsonPath("$.violations.fenced['mmio_after_revoke/occurred']").value(1))
                .andExpect(jsonPath("$.runs.fenced.seed").value(7))
                .andExpect(jsonPath("$.runs.fenced.steps[5].errno").value("ENXIO"))
                .andExpect(jsonPath("$.runs.fenced.passed").value(true))
                .andReturn().getResponse().getContentAsString();
        String second = postJson(RUN, body).andReturn().getResponse().getContentAsString();

        assertThat(second).isEqualTo(first);
    }

    /** A teardown held between two devres entries over HTTP; a point never reached is a 400 naming the step. */
    @Test
    void anUnbindHeldAtAPointIsResumedAndAPointNeverReachedIsAProblemNamingTheStep() throws Exception {
        String steps = """
                  {"op": "create-device", "chipset": "GA102", "address": "0000:01:00.0"},
                  {"op": "set-faults", "faults": {"forgetTimerCancel": true}},
                  {"op": "load"},
                  {"op": "arm-timer", "device": "0000:01:00.0", "mode": "periodic", "delayNs": 1000000,
                   "periodNs": 1000000, "action": "touch-bar", "as": "t"},
                  {"op": "unbind", "device": "0000:01:00.0", "pauseAt": "POINT"},
                  {"op": "advance", "ns": 1500000},
                  {"op": "resume"}""";
        postJson(RUN, "{\"scenario\": {\"steps\": [" + steps.replace("POINT", "devres:pci_iomap BAR0")
                + "]}, \"policies\": [\"fenced\"]}").andExpect(status().isOk())
                .andExpect(jsonPath("$.runs.fenced.steps[4].value").value("held at 0000:01:00.0 devres:pci_iomap BAR0"))
                .andExpect(jsonPath("$.runs.fenced.steps[4].blockedUntil").value(6))
                .andExpect(jsonPath("$.violations.fenced['timer_after_remove/occurred']").value(1));

        var neverReached = postJson(RUN, "{\"scenario\": {\"steps\": [" + steps.replace("POINT", "devres:no such entry")
                + "]}}");
        expectProblem(neverReached, 400, "EINVAL");
        neverReached.andExpect(jsonPath("$.step").value(4));
    }

    @Test
    void anUnknownBuiltInIsEnoent() throws Exception {
        expectProblem(postJson(RUN, "{\"name\":\"no-such-race\"}"), 404, "ENOENT");
    }

    @Test
    void aBadScenarioIsAProblemNamingTheStep() throws Exception {
        var unknownOp = callRejected(post(RUN).contentType(MediaType.APPLICATION_JSON)
                .content("{\"scenario\":{\"steps\":[{\"op\":\"load\"},{\"op\":\"rmmod\"}]}}"));
        expectProblem(unknownOp, 400, "EINVAL");
        unknownOp.andExpect(jsonPath("$.step").value(1))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.startsWith("step 1: unknown op")));

        var missingArgument = postJson(RUN, "{\"scenario\":{\"steps\":[{\"op\":\"load\"},{\"op\":\"load\"},{\"op\":\"unbind\"}]}}");
        expectProblem(missingArgument, 400, "EINVAL");
        missingArgument.andExpect(jsonPath("$.step").value(2));

        var noSteps = callRejected(post(RUN).contentType(MediaType.APPLICATION_JSON).content("{\"scenario\":{\"steps\":[]}}"));
        expectProblem(noSteps, 400, "EINVAL");
        noSteps.andExpect(jsonPath("$.step").doesNotExist());
    }

    @Test
    void aRequestThatNamesNoScenarioOrAnUnknownPolicyIsEinval() throws Exception {
        expectProblem(callRejected(post(RUN).contentType(MediaType.APPLICATION_JSON).content("{}")), 400, "EINVAL");
        expectProblem(callRejected(post(RUN).contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"timer-fires-after-unbind\",\"scenario\":{\"steps\":[{\"op\":\"load\"}]}}")), 400, "EINVAL");
        expectProblem(callRejected(post(RUN).contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"timer-fires-after-unbind\",\"policies\":[\"careful\"]}")), 400, "EINVAL");
        expectProblem(callRejected(post(RUN).contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"timer-fires-after-unbind\",\"bogus\":1}")), 400, "EINVAL");
    }

    @Test
    void runningAScenarioLeavesTheLiveHostAlone() throws Exception {
        createDevice("GA102", GA102);
        loadNovaCore();
        String devices = getJson("/api/v1/devices").andReturn().getResponse().getContentAsString();
        String violations = getJson("/api/v1/violations").andReturn().getResponse().getContentAsString();
        String modules = getJson("/api/v1/modules").andReturn().getResponse().getContentAsString();

        postJson(RUN, "{\"name\":\"unload-with-open-file-force\",\"policies\":[\"revocable\",\"fenced\"]}")
                .andExpect(status().isOk());
        postJson(RUN, "{\"name\":\"devres-unwind-on-failed-probe\"}").andExpect(status().isOk());

        getJson("/api/v1/devices").andExpect(result ->
                assertThat(result.getResponse().getContentAsString()).isEqualTo(devices));
        getJson("/api/v1/violations").andExpect(result ->
                assertThat(result.getResponse().getContentAsString()).isEqualTo(violations));
        getJson("/api/v1/modules").andExpect(result ->
                assertThat(result.getResponse().getContentAsString()).isEqualTo(modules));
        getJson("/api/v1/host").andExpect(jsonPath("$.taints.length()").value(0));
    }

    // --- item 4 of issue 13: budgets -------------------------------------------------------------------

    /** A 10 µs periodic timer and one advance of 10^18 ns: it never returned before the budgets. */
    static final String ENDLESS = """
            {"op": "create-device", "chipset": "GA102", "address": "0000:01:00.0"},
            {"op": "load"},
            {"op": "arm-timer", "device": "0000:01:00.0", "mode": "periodic", "delayNs": 0, "periodNs": 10000},
            {"op": "advance", "ns": 1000000000000000000}""";

    @Autowired
    RunSlots slots;

    @Autowired
    ScenarioRunner runner;

    @Test
    void theSettingsDefaultsAreTheBudgetsOwn() {
        assertThat(runner.budget()).isEqualTo(ScenarioBudget.DEFAULTS);
    }

    @Test
    void aPeriodUnderTheLiveApisTenMicrosecondsIsEinvalNamingTheMinimum() throws Exception {
        for (long period : new long[] {0, 1}) {
            var refused = postJson(RUN, "{\"scenario\":{\"steps\":[{\"op\":\"create-device\",\"chipset\":\"GA102\"},"
                    + "{\"op\":\"load\"},{\"op\":\"arm-timer\",\"device\":\"0000:01:00.0\",\"mode\":\"periodic\","
                    + "\"delayNs\":0,\"periodNs\":" + period + "}]}}");
            expectProblem(refused, 400, "EINVAL");
            refused.andExpect(jsonPath("$.step").value(2))
                    .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("at least 10000 ns")));
        }
    }

    @Test
    void anEndlessRunIsStoppedByTheEventBudgetAndNamedForIt() throws Exception {
        long start = System.nanoTime();

        var stopped = postJson(RUN, "{\"scenario\":{\"name\":\"endless\",\"steps\":[" + ENDLESS + "]}}");

        long millis = (System.nanoTime() - start) / 1_000_000;
        expectProblem(stopped, 422, "E2BIG");
        stopped.andExpect(jsonPath("$.budget.name").value("events"))
                .andExpect(jsonPath("$.budget.limit").value(ScenarioBudget.DEFAULTS.maxEvents()))
                .andExpect(jsonPath("$.budget.step").value(3))
                .andExpect(jsonPath("$.budget.events").value(ScenarioBudget.DEFAULTS.maxEvents() + 1))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("events budget of " + ScenarioBudget.DEFAULTS.maxEvents())));
        System.out.printf("item 4: POST %s of the endless scenario answered 422 in %d ms%n", RUN, millis);
        assertThat(millis).isLessThan(20_000);
    }

    @Test
    void anEndlessComparisonIsStoppedByTheSameBudget() throws Exception {
        var stopped = postJson(RUN, "{\"scenario\":{\"steps\":[" + ENDLESS + "]},\"policies\":[\"fenced\",\"revocable\"]}");

        expectProblem(stopped, 422, "E2BIG");
        stopped.andExpect(jsonPath("$.budget.name").value("events"));
    }

    @Test
    void pastTheRunSlotsARunIsEagainWithRetryAfter() throws Exception {
        var held = new ArrayList<RunSlots.Slot>();
        try {
            while (slots.free() > 0) {
                held.add(slots.take());
            }
            assertThat(held).as("the default number of run slots").hasSize(2);

            var refused = postJson(RUN, "{\"name\":\"timer-fires-after-unbind\"}");

            expectProblem(refused, 503, "EAGAIN");
            refused.andExpect(header().string("Retry-After", "1"))
                    .andExpect(jsonPath("$.detail").value("all 2 scenario run slots are taken; try again when a run has ended"));
        } finally {
            held.forEach(RunSlots.Slot::close);
        }
        postJson(RUN, "{\"name\":\"timer-fires-after-unbind\"}").andExpect(status().isOk());
    }
}
