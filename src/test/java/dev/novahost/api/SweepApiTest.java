package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * The sweep over HTTP: with nothing asked, nova-core's bind of a GA102 walked under both policies, every
 * step passing its checks; a missing body or a bad operation, chipset or policy is {@code EINVAL}; the live host never
 * notices.
 */
class SweepApiTest extends ApiTest {

    private static final String SWEEP = "/api/v1/scenarios/sweep";

    @Test
    void theDefaultSweepWalksNovaCoresBindUnderBothPoliciesAndEveryStepPasses() throws Exception {
        postJson(SWEEP, "{}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.operation").value("bind"))
                .andExpect(jsonPath("$.driver").value("nova-core"))
                .andExpect(jsonPath("$.chipset").value("GA102"))
                .andExpect(jsonPath("$.passed").value(true))
                .andExpect(jsonPath("$.walks.revocable.passed").value(true))
                .andExpect(jsonPath("$.walks.fenced.passed").value(true))
                .andExpect(jsonPath("$.walks.fenced.steps[0].point").value("pci_enable_device"))
                .andExpect(jsonPath("$.walks.fenced.steps[0].errno").value("EIO"))
                .andExpect(jsonPath("$.walks.fenced.steps[0].checks[0].name").value("errno"))
                .andExpect(jsonPath("$.walks.fenced.steps[1].point").value("pci_request_region"))
                .andExpect(jsonPath("$.walks.fenced.steps[1].errno").value("EBUSY"));
    }

    @Test
    void theLoadOfAChipsetUnderOnePolicyWalksOnce() throws Exception {
        postJson(SWEEP, "{\"operation\":\"load\",\"chipset\":\"TU102\",\"policies\":[\"fenced\"]}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.operation").value("load"))
                .andExpect(jsonPath("$.chipset").value("TU102"))
                .andExpect(jsonPath("$.walks.length()").value(1))
                .andExpect(jsonPath("$.walks.fenced.passed").value(true));
    }

    @Test
    void aBadOperationChipsetPolicyOrFieldIsEinval() throws Exception {
        for (String body : new String[] {"{\"operation\":\"insmod\"}", "{\"chipset\":\"GX9000\"}", "{\"chipset\":\"GP102\"}",
                "{\"policies\":[\"careful\"]}", "{\"bogus\":1}"}) {
            expectProblem(callRejected(post(SWEEP).contentType(MediaType.APPLICATION_JSON).content(body)), 400, "EINVAL");
        }
        expectProblem(callRejected(post(SWEEP).contentType(MediaType.APPLICATION_JSON)), 400, "EINVAL");
    }

    @Test
    void aSweepLeavesTheLiveHostAlone() throws Exception {
        createDevice("GA102", GA102);
        loadNovaCore();
        String devices = getJson("/api/v1/devices").andReturn().getResponse().getContentAsString();
        String violations = getJson("/api/v1/violations").andReturn().getResponse().getContentAsString();
        long lastEvent = getJson("/api/v1/events").andReturn().getResponse().getContentAsString().length();

        postJson(SWEEP, "{}").andExpect(status().isOk());

        getJson("/api/v1/devices").andExpect(result ->
                assertThat(result.getResponse().getContentAsString()).isEqualTo(devices));
        getJson("/api/v1/violations").andExpect(result ->
                assertThat(result.getResponse().getContentAsString()).isEqualTo(violations));
        getJson("/api/v1/events").andExpect(result ->
                assertThat(result.getResponse().getContentAsString()).hasSize((int) lastEvent));
    }
}
