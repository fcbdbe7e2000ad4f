package dev.novahost.api;

import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.novahost.kernel.novacore.TimerService;
import dev.novahost.kernel.novacore.WorkService;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@code POST /devices/{address}/timers/{id}/release} and {@code .../work/{id}/release}: a {@code block}
 * callback waits until released; the routes answer {@code ENOENT}, {@code ENODEV} and {@code EINVAL}
 * as the other object routes do, and a cancel of a blocked callback is {@code EBUSY} rather than a request
 * that hangs; every answer checked against {@code openapi.yaml}.
 */
class CallbackReleaseApiTest extends ApiTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final String OTHER = "0000:02:00.0";

    @Autowired
    TimerService timers;

    @Autowired
    WorkService work;

    @Test
    void aBlockTimerIsReleasedByItsRouteAndTheRouteRefusesWhatItCannotRelease() throws Exception {
        loadNovaCore();
        createDevice("GA102", GA102);
        createDevice("GA102", OTHER);
        postJson("/api/v1/devices/" + GA102 + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":0,\"action\":\"block\"}")
                .andExpect(status().isCreated()).andExpect(jsonPath("$.action").value("block"));
        var timer = timers.all().getFirst();
        await().atMost(PATIENCE).until(timer::isBlocked);
        String release = "/api/v1/devices/" + GA102 + "/timers/" + timer.id() + "/release";

        expectProblem(postJson("/api/v1/devices/" + OTHER + "/timers/" + timer.id() + "/release", ""), 404, "ENOENT");
        expectProblem(postJson("/api/v1/devices/0000:09:00.0/timers/" + timer.id() + "/release", ""), 404, "ENODEV");
        expectProblem(postJson("/api/v1/devices/" + GA102 + "/timers/999999/release", ""), 404, "ENOENT");
        expectProblem(postJson("/api/v1/devices/" + GA102 + "/timers/x/release", ""), 400, "EINVAL");
        // a cancel would wait for the blocked callback: refused rather than a request that hangs
        expectProblem(deleteAt("/api/v1/timers/" + timer.id()), 409, "EBUSY");
        postJson(release, "").andExpect(status().isOk()).andExpect(jsonPath("$.id").value(timer.id()));
        await().atMost(PATIENCE).untilAsserted(() -> getJson("/api/v1/timers/" + timer.id())
                .andExpect(jsonPath("$.state").value("expired")));
        expectProblem(postJson(release, ""), 400, "EINVAL");
    }

    @Test
    void aBlockWorkItemIsReleasedByItsRouteAndANonBlockOneIsRefused() throws Exception {
        loadNovaCore();
        createDevice("GA102", GA102);
        postJson("/api/v1/devices/" + GA102 + "/work", "{\"action\":\"block\"}").andExpect(status().isCreated());
        var blocked = work.all().getFirst();
        await().atMost(PATIENCE).until(blocked::isBlocked);
        expectProblem(deleteAt("/api/v1/work/" + blocked.id()), 409, "EBUSY");
        postJson("/api/v1/devices/" + GA102 + "/work/" + blocked.id() + "/release", "").andExpect(status().isOk())
                .andExpect(jsonPath("$.action").value("block"));
        await().atMost(PATIENCE).untilAsserted(() -> getJson("/api/v1/work/" + blocked.id())
                .andExpect(jsonPath("$.executions").value(1)));

        postJson("/api/v1/devices/" + GA102 + "/work", "{\"action\":\"lock\"}").andExpect(status().isCreated());
        long locking = work.all().getLast().id();
        expectProblem(postJson("/api/v1/devices/" + GA102 + "/work/" + locking + "/release", ""), 400, "EINVAL");
        expectProblem(postJson("/api/v1/devices/" + GA102 + "/work/999999/release", ""), 404, "ENOENT");
    }
}
