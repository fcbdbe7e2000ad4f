package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.novahost.kernel.hungtask.HungTaskDetector;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.novacore.CallbackHold;
import dev.novahost.kernel.novacore.TimerService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * The hung-task detector over HTTP, with {@code nova.hung-task.timeout=1} (a bare number is seconds, as
 * {@code hung_task_timeout_secs}) and {@code nova.hung-task.panic=true}: a task blocked for a second is a
 * {@code hung_task} violation naming it, what it waits for and its holder; the host says it is panicked
 * until a reset, and answers all the while; the metrics count tasks by state and the hung ones.
 */
@TestPropertySource(properties = {"nova.hung-task.timeout=1", "nova.hung-task.panic=true"})
class HungTaskApiTest extends ApiTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    /** A callback-like task name, so that the unbind's own reports (when nova-core's waits report) stay apart. */
    private static final String TASK = "kworker/0:1";

    @Autowired
    Kernel kernel;

    @Autowired
    TimerService timers;

    private CallbackHold callback;
    private HungTaskDetector.Blocked blocked;

    @AfterEach
    void letGo() {
        if (blocked != null) {
            blocked.close();
        }
        if (callback != null) {
            callback.release();
        }
    }

    @Test
    void aTaskBlockedPastTheTimeoutIsAViolationTheHostIsPanickedUntilResetAndTheMetricsShowIt() throws Exception {
        loadNovaCore();
        createDevice("GA102", GA102);
        postJson("/api/v1/devices/" + GA102 + "/timers", "{\"mode\":\"periodic\",\"delayNs\":0,\"periodNs\":1000000}")
                .andExpect(status().isCreated());
        var timer = timers.all().getFirst();
        callback = timer.holdNextCallback();
        assertThat(callback.awaitEntered(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the callback runs").isTrue();
        postJson("/api/v1/drivers/nova-core/unbind?wait=0", "{\"device\":\"" + GA102 + "\"}")
                .andExpect(status().isAccepted());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(gauge("nova_tasks{state=\"D\"}")).isEqualTo(1));
        getJson("/api/v1/host").andExpect(jsonPath("$.panicked").value(false));

        blocked = kernel.hungTasks().block(TASK, "flush_workqueue(nova-core)", () -> timer.name() + " callback");
        await().atMost(PATIENCE).untilAsserted(() -> getJson("/api/v1/violations?kind=hung-task")
                .andExpect(jsonPath("$[?(@.object == '" + TASK + "')].kind").value(contains("hung_task"))));
        getJson("/api/v1/violations?kind=hung_task")
                .andExpect(jsonPath("$[?(@.object == '" + TASK + "')].outcome").value(contains("occurred")))
                .andExpect(jsonPath("$[?(@.object == '" + TASK + "')].message").value(contains(
                        "INFO: task " + TASK + " blocked for more than 1 seconds. Waiting for flush_workqueue(nova-core),"
                                + " held by " + timer.name() + " callback.")))
                .andExpect(jsonPath("$[?(@.object == '" + TASK + "')].timeline[0].event").value(contains("khungtaskd.report")));
        getJson("/api/v1/host").andExpect(jsonPath("$.panicked").value(true));
        getJson("/api/v1/devices").andExpect(status().isOk()); // a mark, not a stop
        assertThat(gauge("nova_hung_tasks")).isGreaterThanOrEqualTo(1);
        assertThat(gauge("nova_lifecycle_violations_total{kind=\"hung_task\",outcome=\"occurred\",policy=\"revocable\"}"))
                .isGreaterThanOrEqualTo(1);

        blocked.close();
        callback.release();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(gauge("nova_tasks{state=\"D\"}")).isZero());
        assertThat(gauge("nova_tasks{state=\"done\"}")).isEqualTo(1);
        assertThat(gauge("nova_hung_tasks")).isZero();
        call(post("/api/v1/host/reset")).andExpect(status().isOk()).andExpect(jsonPath("$.panicked").value(false));
    }

    /** The value of one series in a scrape. */
    private double gauge(String series) throws Exception {
        String scrape = mvc.perform(get("/actuator/prometheus")).andReturn().getResponse().getContentAsString();
        return scrape.lines().filter(line -> line.startsWith(series + " ")).mapToDouble(line ->
                Double.parseDouble(line.substring(series.length() + 1))).findFirst().orElseThrow(() ->
                new AssertionError(series + " is not in the scrape"));
    }
}
