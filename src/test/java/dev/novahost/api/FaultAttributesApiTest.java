package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The attributes set over HTTP decide which eligible calls fail, in Linux's order: the device filter
 * makes another device's calls ineligible, {@code space} lets the first ones pass, {@code times} stops after
 * that many, {@code interval} fails only every N-th; each injection is a violation at exactly that timer
 * and one count of {@code nova_fault_injections_total}.
 */
class FaultAttributesApiTest extends ApiTest {

    private static final String FAULTS = "/api/v1/drivers/nova-core/faults";
    private static final String OTHER = "0000:02:00.0";
    private static final String HOUR = "3600000000000";

    @Test
    void spaceTimesAndTheDeviceFilterForgetTheThirdCancelTwiceOnOneDeviceOnly() throws Exception {
        putJson("/api/v1/drivers/nova-core/policy", "{\"policy\":\"fenced\"}").andExpect(status().isOk());
        createDevice("GA102", GA102);
        createDevice("GA102", OTHER);
        loadNovaCore();
        double before = injections();
        putJson(FAULTS, "{\"forgetTimerCancel\":{\"space\":2,\"times\":2,\"device\":\"" + GA102 + "\"},\"seed\":5}")
                .andExpect(status().isOk());
        var timers = arm(GA102, 6);
        var others = arm(OTHER, 3);

        unbind(OTHER);
        unbind(GA102);

        assertThat(timerFreeActive()).containsExactly(timers.get(2), timers.get(3));
        assertThat(timerFreeActive()).doesNotContainAnyElementsOf(others);
        assertThat(injections() - before).as("a counter: it counts on across host resets").isEqualTo(2.0);
    }

    @Test
    void intervalFailsEveryThirdCancel() throws Exception {
        putJson("/api/v1/drivers/nova-core/policy", "{\"policy\":\"fenced\"}").andExpect(status().isOk());
        createDevice("GA102", GA102);
        loadNovaCore();
        double before = injections();
        putJson(FAULTS, "{\"forgetTimerCancel\":{\"interval\":3}}").andExpect(status().isOk());
        var timers = arm(GA102, 7);

        unbind(GA102);

        assertThat(timerFreeActive()).containsExactly(timers.get(2), timers.get(5));
        assertThat(injections() - before).as("a counter: it counts on across host resets").isEqualTo(2.0);
    }

    /** The names of the timers armed on {@code device}, in order: {@code timer 3}. */
    private List<String> arm(String device, int count) throws Exception {
        var names = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            String body = postJson("/api/v1/devices/" + device + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":" + HOUR + "}")
                    .andExpect(status().isCreated()).andReturn().getResponse().getContentAsString();
            names.add("timer " + JsonPath.<Number>read(body, "$.id"));
        }
        return names;
    }

    private List<String> timerFreeActive() throws Exception {
        String body = getJson("/api/v1/violations?kind=timer_free_active").andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        return JsonPath.read(body, "$[*].object");
    }

    private double injections() throws Exception {
        String scrape = mvc.perform(get("/actuator/prometheus")).andReturn().getResponse().getContentAsString();
        return scrape.lines().filter(l -> l.startsWith("nova_fault_injections_total{")
                        && l.contains("fault=\"forgetTimerCancel\"") && l.contains("point=\"hrtimer_cancel\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
