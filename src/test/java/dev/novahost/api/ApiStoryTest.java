package dev.novahost.api;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;

/** The README's walk-through, in curl's shoes: every step as a user types it. */
class ApiStoryTest extends ApiTest {

    @Test
    void createLoadReadUnbindAndSeeTheReadRefused() throws Exception {
        postJson("/api/v1/devices", "{\"chipset\":\"GA102\"}")
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/api/v1/devices/" + GA102))
                .andExpect(jsonPath("$.address").value(GA102))
                .andExpect(jsonPath("$.architecture").value("Ampere"))
                .andExpect(jsonPath("$.vendorId").value("0x10de"))
                .andExpect(jsonPath("$.deviceId").value("0x2204"))
                .andExpect(jsonPath("$.classCode").value("0x030000"))
                .andExpect(jsonPath("$.revision").value("0xa1"))
                .andExpect(jsonPath("$.state").value("present"))
                .andExpect(jsonPath("$.driver").isEmpty());

        call(post("/api/v1/modules/nova-core/load"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.state").value("live"))
                .andExpect(jsonPath("$.refcount").value(0));

        getJson("/api/v1/devices/" + GA102)
                .andExpect(jsonPath("$.driver").value("nova-core"))
                .andExpect(jsonPath("$.policy").value("revocable"));

        getJson("/api/v1/devices/" + GA102 + "/mmio/0x0")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.offset").value("0x000000"))
                .andExpect(jsonPath("$.register").value("NV_PMC_BOOT_0"))
                .andExpect(jsonPath("$.value").value("0x172000a1"));

        getJson("/api/v1/devices/" + GA102 + "/ptimer")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.time").value(org.hamcrest.Matchers.matchesPattern("0x[0-9a-f]{16}")));

        unbind(GA102);

        expectProblem(getJson("/api/v1/devices/" + GA102 + "/mmio/0x0"), 410, "ENODEV");
        expectProblem(getJson("/api/v1/devices/" + GA102 + "/ptimer"), 410, "ENODEV");
    }

    @Test
    void scratchRegistersHoldWhatIsWrittenThroughTheDriver() throws Exception {
        createDevice("AD102", GA102);
        loadNovaCore();

        putJson("/api/v1/devices/" + GA102 + "/mmio/0x1404", "{\"value\":\"0xdeadbeef\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.value").value("0xdeadbeef"));
        putJson("/api/v1/devices/" + GA102 + "/mmio/0x1408", "{\"value\":4294967295}")
                .andExpect(jsonPath("$.value").value("0xffffffff"));

        getJson("/api/v1/devices/" + GA102 + "/mmio?offset=0x1400&count=3")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.offset").value("0x001400"))
                .andExpect(jsonPath("$.values[0]").value("0x00000000"))
                .andExpect(jsonPath("$.values[1]").value("0xdeadbeef"))
                .andExpect(jsonPath("$.values[2]").value("0xffffffff"));

        getJson("/api/v1/devices/" + GA102 + "/mmio/0x2000")
                .andExpect(jsonPath("$.value").value("0xbadf1100"));
    }

    @Test
    void loadAutoprobesUnloadUnbindsAndReloadIsANewGeneration() throws Exception {
        createDevice("GA102", "0000:01:00.0");
        createDevice("TU102", "0000:02:00.0");
        createDevice("GP102", "0000:03:00.0");
        loadNovaCore();

        getJson("/api/v1/drivers/nova-core")
                .andExpect(jsonPath("$.registered").value(true))
                .andExpect(jsonPath("$.devices.length()").value(2))
                .andExpect(jsonPath("$.devices[0]").value("0000:01:00.0"))
                .andExpect(jsonPath("$.devices[1]").value("0000:02:00.0"));
        getJson("/api/v1/devices/0000:03:00.0").andExpect(jsonPath("$.driver").isEmpty());

        call(post("/api/v1/modules/nova-core/unload"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.state").value("unloaded"));
        getJson("/api/v1/drivers/nova-core")
                .andExpect(jsonPath("$.registered").value(false))
                .andExpect(jsonPath("$.devices.length()").value(0));

        int first = generation();
        loadNovaCore();
        getJson("/api/v1/modules/nova-core").andExpect(jsonPath("$.generation").value(first + 1));
        getJson("/api/v1/host")
                .andExpect(jsonPath("$.devices").value(3))
                .andExpect(jsonPath("$.boundDevices").value(2));
    }

    private int generation() throws Exception {
        String body = mvc.perform(get("/api/v1/modules/nova-core")).andReturn().getResponse().getContentAsString();
        return com.jayway.jsonpath.JsonPath.read(body, "$.generation");
    }

    @Test
    void policyTakesEffectAtTheNextProbe() throws Exception {
        createDevice("GA102", GA102);
        loadNovaCore();

        putJson("/api/v1/drivers/nova-core/policy", "{\"policy\":\"fenced\"}")
                .andExpect(jsonPath("$.policy").value("fenced"));
        getJson("/api/v1/devices/" + GA102).andExpect(jsonPath("$.policy").value("revocable"));

        unbind(GA102);
        bind(GA102);
        getJson("/api/v1/devices/" + GA102).andExpect(jsonPath("$.policy").value("fenced"));
        getJson("/api/v1/drivers/nova-core/policy").andExpect(jsonPath("$.policy").value("fenced"));
        getJson("/api/v1/devices/" + GA102 + "/mmio/0x000a00").andExpect(jsonPath("$.value").value("0x17200000"));
    }

    @Test
    void surpriseRemovedDeviceReadsAllOnesUntilItIsDeleted() throws Exception {
        createDevice("GA102", GA102);
        loadNovaCore();

        call(post("/api/v1/devices/" + GA102 + "/surprise-removal"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.state").value("removed"))
                .andExpect(jsonPath("$.driver").value("nova-core"));
        getJson("/api/v1/devices/" + GA102 + "/mmio/0x0").andExpect(jsonPath("$.value").value("0xffffffff"));

        deleteAt("/api/v1/devices/" + GA102).andExpect(status().isNoContent());
        expectProblem(getJson("/api/v1/devices/" + GA102), 404, "ENODEV");
        getJson("/api/v1/devices").andExpect(jsonPath("$.length()").value(0));
    }

    @Test
    void metricsShowDevicesBindingsAndBarAccesses() throws Exception {
        createDevice("GA102", GA102);
        loadNovaCore();
        getJson("/api/v1/devices/" + GA102 + "/mmio/0x0");
        unbind(GA102);

        String scrape = mvc.perform(get("/actuator/prometheus")).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        org.assertj.core.api.Assertions.assertThat(scrape)
                .contains("nova_device_info{address=\"0000:01:00.0\",architecture=\"Ampere\",chipset=\"GA102\"} 1")
                .contains("nova_devices{state=\"present\"} 1")
                .contains("nova_bindings_total{result=\"bound\"}")
                .contains("nova_bar_accesses_total{op=\"read\",result=\"ok\"}")
                .contains("nova_module_loaded{module=\"nova-core\"} 1")
                .contains("nova_module_refcount{module=\"nova-core\"} 0")
                .contains("nova_unbind_duration_seconds_count")
                .contains("nova_revoke_wait_seconds_count");

        deleteAt("/api/v1/devices/" + GA102);
        String after = mvc.perform(get("/actuator/prometheus")).andReturn().getResponse().getContentAsString();
        org.assertj.core.api.Assertions.assertThat(after).doesNotContain("nova_device_info{");
    }

    @Test
    void healthHasLivenessAndReadiness() throws Exception {
        mvc.perform(get("/actuator/health/liveness")).andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP"));
        mvc.perform(get("/actuator/health/readiness")).andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("UP"));
    }
}
