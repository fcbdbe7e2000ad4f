package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * The explorer over HTTP: a built-in's teardown explored under every policy, with the outcome of each;
 * bad requests are {@code EINVAL}, an unknown name {@code ENOENT}.
 */
class ExploreApiTest extends ApiTest {

    private static final String EXPLORE = "/api/v1/scenarios/explore";

    @Test
    void aBuiltInsTeardownIsExploredUnderEveryPolicy() throws Exception {
        postJson(EXPLORE, "{\"name\":\"timer-fires-after-unbind\",\"policies\":[\"revocable\",\"fenced\"]}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.scenario").value("timer-fires-after-unbind"))
                .andExpect(jsonPath("$.teardown").value("unbind 0000:01:00.0"))
                .andExpect(jsonPath("$.bound").value(2))
                .andExpect(jsonPath("$.policies[0].policy").value("revocable"))
                .andExpect(jsonPath("$.policies[0].violating").value(0))
                .andExpect(jsonPath("$.policies[1].policy").value("fenced"))
                .andExpect(jsonPath("$.policies[1].outcomes[?(@.violating == true)].reproducer.steps").isNotEmpty());
    }

    @Test
    void withAFormatTheExplorationIsATestReportWhoseFailedCasesAreTheViolatingOutcomes() throws Exception {
        var body = "{\"name\":\"timer-fires-after-unbind\",\"policies\":[\"revocable\",\"fenced\"]}";
        var xml = call(post(EXPLORE + "?format=junit").contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        var ktap = call(post(EXPLORE + "?format=ktap").contentType(MediaType.APPLICATION_JSON).content(body))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();

        assertThat(xml).contains("<testsuite name=\"explore timer-fires-after-unbind under revocable\"")
                .contains("<testsuite name=\"explore timer-fires-after-unbind under fenced\"")
                .contains("<failure message=\"").contains("timer_free_active:occurred");
        assertThat(ktap).startsWith("KTAP version 1\n1..2\n").contains("ok 1 explore timer-fires-after-unbind under revocable")
                .contains("not ok 2 explore timer-fires-after-unbind under fenced");
        expectProblem(callRejected(post(EXPLORE + "?format=pdf").contentType(MediaType.APPLICATION_JSON).content(body)), 400, "EINVAL");
    }

    @Test
    void aBadRequestIsEinvalAndAnUnknownNameEnoent() throws Exception {
        for (String body : new String[] {"{}", "{\"name\":\"timer-fires-after-unbind\",\"bound\":9}",
                "{\"name\":\"timer-fires-after-unbind\",\"budget\":0}", "{\"name\":\"timer-fires-after-unbind\",\"policies\":[\"careful\"]}",
                "{\"name\":\"devres-unwind-on-failed-probe\"}", "{\"bogus\":1}"}) {
            expectProblem(callRejected(post(EXPLORE).contentType(MediaType.APPLICATION_JSON).content(body)), 400, "EINVAL");
        }
        expectProblem(callRejected(post(EXPLORE).contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"nope\"}")), 404, "ENOENT");
    }
}
