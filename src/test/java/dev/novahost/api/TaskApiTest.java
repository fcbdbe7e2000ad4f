package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.novacore.CallbackHold;
import dev.novahost.kernel.novacore.TimerService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

/**
 * Unbind, unload and unplug as tasks over HTTP: answered as before when they end within {@code wait},
 * {@code 202} and a task in {@code D} that says what it waits for when they do not.
 */
class TaskApiTest extends ApiTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @Autowired
    TimerService timers;

    @Autowired
    EventLog log;

    private long firstSeq;

    @BeforeEach
    void markTheLog() {
        firstSeq = log.lastSeq();
    }

    @Test
    void anUnbindStuckInHrtimerCancelAnswers202AndItsTaskSaysSoThenEndsWithTheUnbindsResult() throws Exception {
        loadNovaCore();
        createDevice("GA102", GA102);
        var callback = holdACallbackOf(GA102);
        String location;
        try {
            var accepted = postJson("/api/v1/drivers/nova-core/unbind?wait=50", "{\"device\":\"" + GA102 + "\"}")
                    .andExpect(status().isAccepted())
                    .andExpect(header().string("Location", org.hamcrest.Matchers.matchesRegex("/api/v1/tasks/[0-9]+")))
                    .andExpect(jsonPath("$.name").value("unbind " + GA102))
                    .andReturn().getResponse();
            location = accepted.getHeader("Location");
            long timer = timers.all().getFirst().id();

            await().atMost(PATIENCE).untilAsserted(() -> getJson(location)
                    .andExpect(jsonPath("$.state").value("D"))
                    .andExpect(jsonPath("$.blockedOn").value("hrtimer_cancel(timer " + timer + ")"))
                    .andExpect(jsonPath("$.result").doesNotExist()));
            getJson("/api/v1/tasks").andExpect(jsonPath("$[-1].state").value("D"));
            getJson("/api/v1/devices/" + GA102).andExpect(jsonPath("$.driver").value("nova-core"));
        } finally {
            callback.release();
        }

        await().atMost(PATIENCE).untilAsserted(() -> getJson(location)
                .andExpect(jsonPath("$.state").value("done"))
                .andExpect(jsonPath("$.result.ok").value(true))
                .andExpect(jsonPath("$.blockedOn").doesNotExist()));
        getJson("/api/v1/devices/" + GA102).andExpect(jsonPath("$.driver").doesNotExist());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(eventTypes()).contains("task.done"));
    }

    @Test
    void aStuckUnplugAndAStuckUnloadAnswer202TooAndEndWhenTheCallbackReturns() throws Exception {
        loadNovaCore();
        createDevice("GA102", GA102);
        var callback = holdACallbackOf(GA102);
        String unplug;
        try {
            unplug = call(delete("/api/v1/devices/" + GA102 + "?wait=50")).andExpect(status().isAccepted())
                    .andExpect(jsonPath("$.name").value("unplug " + GA102))
                    .andReturn().getResponse().getHeader("Location");
        } finally {
            callback.release();
        }
        await().atMost(PATIENCE).untilAsserted(() -> getJson(unplug).andExpect(jsonPath("$.result.ok").value(true)));
        call(get("/api/v1/devices/" + GA102)).andExpect(status().isNotFound());

        createDevice("GA102", GA102);
        callback = holdACallbackOf(GA102);
        String rmmod;
        try {
            rmmod = call(post("/api/v1/modules/nova-core/unload?wait=50")).andExpect(status().isAccepted())
                    .andExpect(jsonPath("$.name").value("rmmod nova-core"))
                    .andReturn().getResponse().getHeader("Location");
        } finally {
            callback.release();
        }
        await().atMost(PATIENCE).untilAsserted(() -> getJson(rmmod).andExpect(jsonPath("$.result.ok").value(true)));
        getJson("/api/v1/modules/nova-core").andExpect(jsonPath("$.state").value("unloaded"));
    }

    @Test
    void anUnbindThatEndsWithinTheWaitAnswersAsBeforeAndLeavesADoneTaskButNoEvent() throws Exception {
        loadNovaCore();
        createDevice("GA102", GA102);
        postJson("/api/v1/drivers/nova-core/unbind", "{\"device\":\"" + GA102 + "\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.address").value(GA102));

        getJson("/api/v1/tasks").andExpect(jsonPath("$[-1].name").value("unbind " + GA102))
                .andExpect(jsonPath("$[-1].state").value("done"))
                .andExpect(jsonPath("$[-1].result.ok").value(true));
        assertThat(eventTypes()).doesNotContain("task.done");
    }

    @Test
    void aFailedOperationAnswersItsProblemAsBeforeAndItsTaskKeepsTheErrno() throws Exception {
        loadNovaCore();
        createDevice("GA102", GA102);
        unbind(GA102);
        expectProblem(postJson("/api/v1/drivers/nova-core/unbind", "{\"device\":\"" + GA102 + "\"}"), 404, "ENODEV");
        expectProblem(call(delete("/api/v1/devices/0000:09:00.0?wait=1000")), 404, "ENODEV");

        getJson("/api/v1/tasks").andExpect(jsonPath("$[-1].name").value("unplug 0000:09:00.0"))
                .andExpect(jsonPath("$[-1].result.ok").value(false))
                .andExpect(jsonPath("$[-1].result.errno").value("ENODEV"));
    }

    @Test
    void anUnloadAndAnUnplugWithinTheirWaitAnswerAsBefore() throws Exception {
        loadNovaCore();
        createDevice("GA102", GA102);
        call(delete("/api/v1/devices/" + GA102 + "?wait=10000")).andExpect(status().isNoContent());
        call(post("/api/v1/modules/nova-core/unload?wait=10000")).andExpect(status().isOk())
                .andExpect(jsonPath("$.state").value("unloaded"));
        getJson("/api/v1/tasks").andExpect(jsonPath("$[-1].name").value("rmmod nova-core"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "60001", "1.5", "", "+5", "99999999999999999999"})
    void aWaitThatIsNotWholeMillisecondsWithinItsBoundsIsEinvalAndStartsNothing(String wait) throws Exception {
        loadNovaCore();
        createDevice("GA102", GA102);
        expectProblem(callRejected(post("/api/v1/drivers/nova-core/unbind?wait=" + wait)
                .contentType(MediaType.APPLICATION_JSON).content("{\"device\":\"" + GA102 + "\"}")), 400, "EINVAL");
        expectProblem(callRejected(post("/api/v1/modules/nova-core/unload?wait=" + wait)), 400, "EINVAL");
        expectProblem(callRejected(delete("/api/v1/devices/" + GA102 + "?wait=" + wait)), 400, "EINVAL");

        getJson("/api/v1/devices/" + GA102).andExpect(jsonPath("$.driver").value("nova-core"));
        getJson("/api/v1/modules/nova-core").andExpect(jsonPath("$.state").value("live"));
    }

    @Test
    void anUnknownTaskIsEnoentAndANonNumericIdEinval() throws Exception {
        expectProblem(call(get("/api/v1/tasks/999999999")), 404, "ENOENT");
        expectProblem(callRejected(get("/api/v1/tasks/x")), 400, "EINVAL");
    }

    /** A periodic timer on the device whose next callback is held in flight: remove()'s hrtimer_cancel waits for it. */
    private CallbackHold holdACallbackOf(String device) throws Exception {
        postJson("/api/v1/devices/" + device + "/timers", "{\"mode\":\"periodic\",\"delayNs\":0,\"periodNs\":1000000}")
                .andExpect(status().isCreated());
        var callback = timers.all().getFirst().holdNextCallback();
        assertThat(callback.awaitEntered(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the callback runs").isTrue();
        return callback;
    }

    /** The types of the events logged since this test began. */
    private List<String> eventTypes() {
        return log.since(firstSeq, Integer.MAX_VALUE).stream().map(LogEntry::type).toList();
    }
}
