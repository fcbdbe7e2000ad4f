package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.servlet.ResultActions;

/**
 * Issue 13, item 17: {@code wrongCancelOrder} on the live host, as the README's recipe drives it. The
 * window between remove()'s two cancels is microseconds wide; {@code holdNs} makes the timer's callback
 * take a second, so the unbind finds it in flight: remove() cancels the work, then waits in
 * {@code hrtimer_cancel} while the callback goes on to queue the work again. The work's own
 * {@code holdNs} keeps it running while the driver data is freed. Fenced: {@code work_free_active} and
 * {@code work_after_remove} occur; revocable: the drop disables the work, {@code work_free_active}
 * prevented. Also: a hold past one second is {@code EINVAL}.
 */
class WrongCancelOrderLiveTest extends ApiTest {

    private static final String DEV = "/api/v1/devices/" + GA102;
    private static final String SECOND = "1000000000";

    @Test
    void underFencedTheTimerRequeuesTheCancelledWorkAndItRunsAfterRemove() throws Exception {
        var seen = recipe("fenced");
        assertThat(seen).containsEntry("work_free_active", "occurred").containsEntry("work_after_remove", "occurred")
                .doesNotContainKeys("timer_free_active", "timer_after_remove");
        getJson("/api/v1/host").andExpect(jsonPath("$.taints", hasItem("work_after_remove")));
    }

    @Test
    void underRevocableTheDropDisablesTheRequeuedWork() throws Exception {
        var seen = recipe("revocable");
        assertThat(seen).containsExactlyEntriesOf(Map.of("work_free_active", "prevented"));
        getJson("/api/v1/host").andExpect(jsonPath("$.taints.length()").value(0));
    }

    /** A longer hold would let one callback stall an unbind as long as it likes. */
    @Test
    void aHoldPastOneSecondIsEinval() throws Exception {
        createDevice("GA102", GA102);
        loadNovaCore();
        for (String body : List.of(
                "{\"mode\":\"oneshot\",\"delayNs\":0,\"holdNs\":1000000001}",
                "{\"mode\":\"oneshot\",\"delayNs\":0,\"holdNs\":-1}")) {
            expectProblem(callRejected(org.springframework.test.web.servlet.request.MockMvcRequestBuilders
                    .post(DEV + "/timers").contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                    .content(body)), 400, "EINVAL");
        }
        expectProblem(callRejected(org.springframework.test.web.servlet.request.MockMvcRequestBuilders
                .post(DEV + "/work").contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .content("{\"holdNs\":5000000000}")), 400, "EINVAL");
        getJson("/api/v1/timers").andExpect(jsonPath("$.length()").value(0));
        getJson("/api/v1/work").andExpect(jsonPath("$.length()").value(0));
    }

    /**
     * The README's curl recipe, step for step, waiting only for its premise (the timer's callback in
     * flight): the violations it leads to, as kind to outcome, once the held work has run out.
     */
    private Map<String, String> recipe(String policy) throws Exception {
        createDevice("GA102", GA102);
        putJson("/api/v1/drivers/nova-core/policy", "{\"policy\":\"" + policy + "\"}").andExpect(status().isOk());
        putJson("/api/v1/drivers/nova-core/faults", "{\"wrongCancelOrder\":true}").andExpect(status().isOk());
        loadNovaCore();
        long work = idOf(postJson(DEV + "/work", "{\"holdNs\":" + SECOND + "}")
                .andExpect(jsonPath("$.holdNs").value(1_000_000_000L)));
        awaitRunning("/api/v1/work/" + work);
        long timer = idOf(postJson(DEV + "/timers", "{\"mode\":\"periodic\",\"delayNs\":0,\"periodNs\":1000000,"
                + "\"action\":\"queue-work\",\"work\":" + work + ",\"holdNs\":" + SECOND + "}").andExpect(status().isCreated()));
        awaitRunning("/api/v1/timers/" + timer);
        unbind(GA102);

        String expected = policy.equals("fenced") ? "work_after_remove" : "work_free_active";
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                getJson("/api/v1/violations").andExpect(jsonPath("$[*].kind", hasItem(expected))));
        String list = getJson("/api/v1/violations").andReturn().getResponse().getContentAsString();
        List<Map<String, Object>> groups = JsonPath.read(list, "$");
        return groups.stream().collect(java.util.stream.Collectors.toMap(g -> (String) g.get("kind"),
                g -> (String) g.get("outcome")));
    }

    /**
     * The recipe's premise, in its order: the work runs, then the timer's callback is in flight, when the
     * unbind comes. A person pasting the block gets that from the second each takes; a loaded CI machine
     * may start them late, or the callback first, and then nothing re-queues the work in time.
     */
    private void awaitRunning(String object) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).untilAsserted(() ->
                getJson(object).andExpect(jsonPath("$.state").value("running")));
    }

    private static long idOf(ResultActions created) throws Exception {
        return ((Number) JsonPath.read(created.andReturn().getResponse().getContentAsString(), "$.id")).longValue();
    }
}
