package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/** The lifecycle bugs of the nova-core thread, driven over HTTP as the README shows them. */
class ApiLifecycleTest extends ApiTest {

    private static final String DEV = "/api/v1/devices/" + GA102;

    @BeforeEach
    void boundGa102() throws Exception {
        createDevice("GA102", GA102);
        loadNovaCore();
    }

    @Test
    void revocableRefusesAFileOpAfterUnbindAndCountsItPrevented() throws Exception {
        int fd = fdOf(call(post(DEV + "/files")).andExpect(status().isCreated())
                .andExpect(jsonPath("$.state").value("open")));
        getJson("/api/v1/files/" + fd + "/mmio/0x0").andExpect(jsonPath("$.value").value("0x172000a1"));
        getJson("/api/v1/modules/nova-core").andExpect(jsonPath("$.refcount").value(1));

        unbind(GA102);

        expectProblem(callRejected(get("/api/v1/files/" + fd + "/mmio/0x0")), 410, "ENODEV");
        getJson("/api/v1/violations?outcome=prevented")
                .andExpect(jsonPath("$[0].kind").value("mmio_after_revoke"))
                .andExpect(jsonPath("$[0].policy").value("revocable"))
                .andExpect(jsonPath("$[0].object").value("file " + fd));
        getJson("/api/v1/violations?outcome=occurred").andExpect(jsonPath("$.length()").value(0));
        getJson("/api/v1/host").andExpect(jsonPath("$.taints.length()").value(0));
        deleteAt("/api/v1/files/" + fd).andExpect(status().isNoContent());
        getJson("/api/v1/modules/nova-core").andExpect(jsonPath("$.refcount").value(0));
    }

    /** Issue 18: the third policy over HTTP: set, shown on the device it probed, and its own metric label. */
    @Test
    void srcuIsSetShownAndRefusesAFileOpAfterUnbindCountedUnderItsOwnLabel() throws Exception {
        putJson("/api/v1/drivers/nova-core/policy", "{\"policy\":\"srcu\"}").andExpect(jsonPath("$.policy").value("srcu"));
        getJson("/api/v1/drivers/nova-core/policy").andExpect(jsonPath("$.policy").value("srcu"));
        unbind(GA102);
        bind(GA102);
        getJson(DEV).andExpect(jsonPath("$.policy").value("srcu"));
        int fd = fdOf(call(post(DEV + "/files")).andExpect(status().isCreated()));

        unbind(GA102);

        expectProblem(callRejected(get("/api/v1/files/" + fd + "/mmio/0x0")), 410, "ENODEV");
        getJson("/api/v1/violations?outcome=prevented")
                .andExpect(jsonPath("$[0].kind").value("mmio_after_revoke"))
                .andExpect(jsonPath("$[0].policy").value("srcu"));
        String scrape = mvc.perform(get("/actuator/prometheus")).andReturn().getResponse().getContentAsString();
        assertThat(scrape).contains(
                "nova_lifecycle_violations_total{kind=\"mmio_after_revoke\",outcome=\"prevented\",policy=\"srcu\"} 1");
        deleteAt("/api/v1/files/" + fd).andExpect(status().isNoContent());
    }

    @Test
    void fencedWithAForgottenTimerCancelFiresIntoFreedDataAndTaintsTheHost() throws Exception {
        putJson("/api/v1/drivers/nova-core/policy", "{\"policy\":\"fenced\"}");
        putJson("/api/v1/drivers/nova-core/faults", "{\"forgetTimerCancel\":true}")
                .andExpect(jsonPath("$.forgetTimerCancel").value(true))
                .andExpect(jsonPath("$.probeFailure").isEmpty());
        unbind(GA102);
        bind(GA102);

        long timer = idOf(postJson(DEV + "/timers",
                "{\"mode\":\"periodic\",\"delayNs\":1000000,\"periodNs\":20000000,\"action\":\"touch-bar\"}")
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", org.hamcrest.Matchers.startsWith("/api/v1/timers/"))));
        unbind(GA102);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> getJson("/api/v1/violations?kind=timer_after_remove")
                .andExpect(jsonPath("$[0].outcome").value("occurred"))
                .andExpect(jsonPath("$[0].object").value("timer " + timer)));
        getJson("/api/v1/violations?kind=timer_free_active&outcome=occurred&device=" + GA102)
                .andExpect(jsonPath("$.length()").value(1));
        getJson("/api/v1/host").andExpect(jsonPath("$.taints", hasItem("timer_after_remove")));

        String list = body("/api/v1/violations?kind=timer_after_remove");
        int id = JsonPath.read(list, "$[0].id");
        getJson("/api/v1/violations/" + id)
                .andExpect(jsonPath("$.timeline[0].event").value("timer.created"))
                .andExpect(jsonPath("$.timeline[*].event", hasItem("driver.remove")))
                .andExpect(jsonPath("$.timeline[*].event", hasItem("timer.fired")));

        String scrape = mvc.perform(get("/actuator/prometheus")).andReturn().getResponse().getContentAsString();
        assertThat(scrape).contains(
                "nova_lifecycle_violations_total{kind=\"timer_after_remove\",outcome=\"occurred\",policy=\"fenced\"} 1");
    }

    @Test
    void theThreeAnswersToUnloadWhileAFileIsOpen() throws Exception {
        int pinned = fdOf(call(post(DEV + "/files")));
        expectProblem(callRejected(post("/api/v1/modules/nova-core/unload")), 409, "EWOULDBLOCK");
        getJson("/api/v1/modules/nova-core").andExpect(jsonPath("$.state").value("live"))
                .andExpect(jsonPath("$.refcount").value(1));

        call(post("/api/v1/modules/nova-core/unload?mode=disassociate")).andExpect(status().isOk())
                .andExpect(jsonPath("$.state").value("unloaded")).andExpect(jsonPath("$.refcount").value(0));
        expectProblem(callRejected(get("/api/v1/files/" + pinned + "/mmio/0x0")), 410, "EIO");
        getJson("/api/v1/violations").andExpect(jsonPath("$.length()").value(0));

        loadNovaCore();
        int dangling = fdOf(call(post(DEV + "/files")));
        call(post("/api/v1/modules/nova-core/unload?force=true")).andExpect(status().isOk());
        expectProblem(callRejected(get("/api/v1/files/" + dangling + "/mmio/0x0")), 410, "EFAULT");
        getJson("/api/v1/violations?kind=exec_after_unload")
                .andExpect(jsonPath("$[0].outcome").value("occurred"))
                .andExpect(jsonPath("$[0].object").value("file " + dangling));
        getJson("/api/v1/host").andExpect(jsonPath("$.taints", hasItem("exec_after_unload")));
    }

    @Test
    void workIsQueuedListedAndCancelledForGood() throws Exception {
        long work = idOf(postJson(DEV + "/work", "{\"delayNs\":60000000000,\"action\":\"touch-bar\"}")
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.state").value("pending"))
                .andExpect(jsonPath("$.scope").value("device")));
        getJson(DEV + "/work").andExpect(jsonPath("$[0].id").value(work));
        deleteAt("/api/v1/work/" + work).andExpect(status().isOk()).andExpect(jsonPath("$.state").value("cancelled"));
        expectProblem(callRejected(get("/api/v1/work/" + work)), 404, "ENOENT");

        long chained = idOf(postJson(DEV + "/work", "{\"requeue\":3}"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                getJson("/api/v1/work/" + chained).andExpect(jsonPath("$.executions").value(4)));
    }

    @Test
    void aTimerQueuesWorkAndUnbindStopsBothWithoutViolations() throws Exception {
        long work = idOf(postJson(DEV + "/work", "{\"delayNs\":60000000000}"));
        long timer = idOf(postJson(DEV + "/timers",
                "{\"mode\":\"oneshot\",\"delayNs\":1000,\"action\":\"queue-work\",\"work\":" + work + "}")
                .andExpect(jsonPath("$.work").value(work)));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                getJson("/api/v1/timers/" + timer).andExpect(jsonPath("$.expirations").value(1)));

        unbind(GA102);

        getJson("/api/v1/violations").andExpect(jsonPath("$.length()").value(0));
        getJson("/api/v1/timers").andExpect(jsonPath("$.length()").value(0));
    }

    /**
     * A module-scope work item outlives its binding and keeps its device's address; the kernel (the one
     * owner check, under the instance's admit lock) refuses it because it belongs to the earlier driver instance.
     */
    @Test
    void aTimerCannotQueueTheWorkOfAnEarlierBinding() throws Exception {
        long work = idOf(postJson(DEV + "/work", "{\"delayNs\":60000000000,\"scope\":\"module\"}"));
        unbind(GA102);
        bind(GA102);

        var refused = callRejected(post(DEV + "/timers").contentType(MediaType.APPLICATION_JSON)
                .content("{\"mode\":\"oneshot\",\"delayNs\":1000,\"action\":\"queue-work\",\"work\":" + work + "}"));

        expectProblem(refused, 400, "EINVAL");
        refused.andExpect(jsonPath("$.detail", containsString("earlier binding")));
        getJson(DEV + "/timers").andExpect(jsonPath("$.length()").value(0));
    }

    @Test
    void badTimerWorkAndFileRequestsAreProblems() throws Exception {
        record Bad(String path, String body, int status, String errno) { }
        for (var bad : List.of(
                new Bad(DEV + "/timers", "{\"mode\":\"sometimes\",\"delayNs\":1}", 400, "EINVAL"),
                new Bad(DEV + "/timers", "{\"mode\":\"periodic\",\"delayNs\":1}", 400, "EINVAL"),
                new Bad(DEV + "/timers", "{\"mode\":\"periodic\",\"delayNs\":1,\"periodNs\":5}", 400, "EINVAL"),
                new Bad(DEV + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":1,\"periodNs\":5}", 400, "EINVAL"),
                new Bad(DEV + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":1,\"periodNs\":0}", 400, "EINVAL"),
                new Bad(DEV + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":-1}", 400, "EINVAL"),
                new Bad(DEV + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":1,\"action\":\"queue-work\"}", 400, "EINVAL"),
                new Bad(DEV + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":1,\"action\":\"queue-work\",\"work\":999}", 400, "EINVAL"),
                new Bad(DEV + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":1,\"scope\":\"global\"}", 400, "EINVAL"),
                new Bad(DEV + "/work", "{\"requeue\":-1}", 400, "EINVAL"),
                new Bad(DEV + "/work", "{\"action\":\"queue-work\"}", 400, "EINVAL"),
                new Bad("/api/v1/devices/0000:7f:00.0/timers", "{\"mode\":\"oneshot\",\"delayNs\":1}", 404, "ENODEV"),
                new Bad("/api/v1/drivers/nova-core/faults", "{\"probeFailure\":\"EWHATEVER\"}", 400, "EINVAL"))) {
            var request = bad.path().endsWith("faults")
                    ? org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put(bad.path())
                    : post(bad.path());
            expectProblem(callRejected(request.contentType(MediaType.APPLICATION_JSON).content(bad.body())),
                    bad.status(), bad.errno());
        }
        expectProblem(callRejected(get("/api/v1/timers/999999")), 404, "ENOENT");
        expectProblem(callRejected(get("/api/v1/files/999999/mmio/0x0")), 404, "EBADF");
        expectProblem(callRejected(get("/api/v1/violations/999999")), 404, "ENOENT");
        getJson("/api/v1/timers").andExpect(jsonPath("$.length()").value(0));
    }

    private String body(String path) throws Exception {
        return mvc.perform(get(path)).andReturn().getResponse().getContentAsString();
    }

    private static int fdOf(org.springframework.test.web.servlet.ResultActions created) throws Exception {
        return JsonPath.read(created.andReturn().getResponse().getContentAsString(), "$.fd");
    }

    private static long idOf(org.springframework.test.web.servlet.ResultActions created) throws Exception {
        return ((Number) JsonPath.read(created.andReturn().getResponse().getContentAsString(), "$.id")).longValue();
    }
}
