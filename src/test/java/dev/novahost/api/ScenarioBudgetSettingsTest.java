package dev.novahost.api;

import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The scenario budgets are nova.* settings: here a wall time of 1 s, with events enough that the
 * endless run meets the wall first, and a result cap of 4 KiB that a built-in's result is over. (300 ms
 * was met before the endless step once, in a cold JVM on a loaded CI machine: the first three steps must
 * fit well inside it.)
 */
@TestPropertySource(properties = {"nova.scenario-max-wall-time=1s", "nova.scenario-max-events=10000000",
        "nova.scenario-max-result-bytes=4096"})
class ScenarioBudgetSettingsTest extends ApiTest {

    private static final String RUN = "/api/v1/scenarios/run";

    @Test
    void theWallTimeBudgetStopsTheEndlessRunWithEtimedout() throws Exception {
        var stopped = postJson(RUN, "{\"scenario\":{\"steps\":[" + ScenarioApiTest.ENDLESS + "]}}");

        expectProblem(stopped, 422, "ETIMEDOUT");
        stopped.andExpect(jsonPath("$.budget.name").value("wall-time"))
                .andExpect(jsonPath("$.budget.limit").value(1000))
                .andExpect(jsonPath("$.budget.step").value(3));
    }

    @Test
    void aResultOverTheSizeBudgetIsRefusedNotTruncated() throws Exception {
        var refused = postJson(RUN, "{\"name\":\"timer-fires-after-unbind\",\"policies\":[\"revocable\",\"fenced\"]}");

        expectProblem(refused, 422, "E2BIG");
        refused.andExpect(jsonPath("$.budget.name").value("result-bytes"))
                .andExpect(jsonPath("$.budget.limit").value(4096));
    }
}
