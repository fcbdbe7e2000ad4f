package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

/**
 * Every way to get a call wrong: each answer is a problem with the right status and errno, and no
 * rejected call changes the host.
 */
class ApiErrorTest extends ApiTest {

    private static final String PASCAL = "0000:03:00.0";
    private static final String UNBOUND = "0000:04:00.0";
    private static final String DEV = "/api/v1/devices/" + GA102;

    /** A host with a bound GA102, an unsupported Pascal chip and an unbound TU102. */
    @BeforeEach
    void populatedHost() throws Exception {
        createDevice("GA102", GA102);
        createDevice("GP102", PASCAL);
        loadNovaCore();
        createDevice("TU102", UNBOUND);
        unbind(UNBOUND);
    }

    record Bad(String method, String path, String body, int status, String errno) {
        @Override
        public String toString() {
            return method + " " + path + (body == null ? "" : " " + body) + " -> " + status + " " + errno;
        }
    }

    static Stream<Arguments> badCalls() {
        return Stream.of(
                // devices
                new Bad("POST", "/api/v1/devices", "{\"chipset\":", 400, "EINVAL"),
                new Bad("POST", "/api/v1/devices", "", 400, "EINVAL"),
                new Bad("POST", "/api/v1/devices", "[]", 400, "EINVAL"),
                new Bad("POST", "/api/v1/devices", "{}", 400, "EINVAL"),
                new Bad("POST", "/api/v1/devices", "{\"chipset\":\"GA102\",\"bogus\":1}", 400, "EINVAL"),
                new Bad("POST", "/api/v1/devices", "{\"chipset\":[\"GA102\"]}", 400, "EINVAL"),
                new Bad("POST", "/api/v1/devices", "{\"chipset\":\"GZ999\"}", 400, "EINVAL"),
                new Bad("POST", "/api/v1/devices", "{\"chipset\":\"GA102\",\"address\":\"01:00.0\"}", 400, "EINVAL"),
                new Bad("POST", "/api/v1/devices", "{\"chipset\":\"GA102\",\"address\":\"0000:01:20.0\"}", 400, "EINVAL"),
                new Bad("POST", "/api/v1/devices", "{\"chipset\":\"GA102\",\"address\":\"0000:01:00.0\"}", 409, "EEXIST"),
                new Bad("POST", "/api/v1/devices", "{\"chipset\":\"GA102\",\"revision\":\"0x100\"}", 400, "EINVAL"),
                new Bad("GET", "/api/v1/devices/0000:7f:00.0", null, 404, "ENODEV"),
                new Bad("GET", "/api/v1/devices/not-an-address", null, 400, "EINVAL"),
                new Bad("DELETE", "/api/v1/devices/0000:7f:00.0", null, 404, "ENODEV"),
                new Bad("POST", "/api/v1/devices/0000:7f:00.0/surprise-removal", null, 404, "ENODEV"),
                // MMIO
                new Bad("GET", DEV + "/mmio/0x9402", null, 400, "EINVAL"),
                new Bad("GET", DEV + "/mmio/0x1000000", null, 400, "EINVAL"),
                new Bad("GET", DEV + "/mmio/0xZZ", null, 400, "EINVAL"),
                new Bad("GET", DEV + "/mmio/-4", null, 400, "EINVAL"),
                new Bad("GET", DEV + "/mmio/0xffffffffffffffffffff", null, 400, "EINVAL"),
                new Bad("GET", "/api/v1/devices/0000:7f:00.0/mmio/0x0", null, 404, "ENODEV"),
                new Bad("GET", "/api/v1/devices/" + UNBOUND + "/mmio/0x0", null, 410, "ENODEV"),
                new Bad("GET", "/api/v1/devices/" + UNBOUND + "/ptimer", null, 410, "ENODEV"),
                new Bad("PUT", DEV + "/mmio/0x1400", "{\"value\":\"0x100000000\"}", 400, "EINVAL"),
                new Bad("PUT", DEV + "/mmio/0x1400", "{\"value\":4294967296}", 400, "EINVAL"),
                new Bad("PUT", DEV + "/mmio/0x1400", "{\"value\":-1}", 400, "EINVAL"),
                new Bad("PUT", DEV + "/mmio/0x1400", "{\"value\":true}", 400, "EINVAL"),
                new Bad("PUT", DEV + "/mmio/0x1400", "{\"value\":\"deadbeef\"}", 400, "EINVAL"),
                new Bad("PUT", DEV + "/mmio/0x1400", "{}", 400, "EINVAL"),
                new Bad("PUT", DEV + "/mmio/0x1401", "{\"value\":\"0x1\"}", 400, "EINVAL"),
                new Bad("GET", DEV + "/mmio?offset=0x1400&count=0", null, 400, "EINVAL"),
                new Bad("GET", DEV + "/mmio?offset=0x1400&count=5000", null, 413, "E2BIG"),
                new Bad("GET", DEV + "/mmio?offset=0xfffffc&count=2", null, 400, "EINVAL"),
                new Bad("GET", DEV + "/mmio?count=2", null, 400, "EINVAL"),
                // modules
                new Bad("POST", "/api/v1/modules/nouveau/load", null, 404, "ENOENT"),
                new Bad("GET", "/api/v1/modules/nouveau", null, 404, "ENOENT"),
                new Bad("POST", "/api/v1/modules/nova-core/load", null, 409, "EEXIST"),
                new Bad("POST", "/api/v1/modules/nova-core/unload?mode=sometimes", null, 400, "EINVAL"),
                new Bad("POST", "/api/v1/modules/nova-core/unload?mode=pin&force=true", null, 400, "EINVAL"),
                new Bad("POST", "/api/v1/modules/nova-core/unload?force=maybe", null, 400, "EINVAL"),
                // drivers
                new Bad("POST", "/api/v1/drivers/nova-core/bind", "{\"device\":\"0000:7f:00.0\"}", 404, "ENODEV"),
                new Bad("POST", "/api/v1/drivers/nova-core/bind", "{\"device\":\"" + GA102 + "\"}", 409, "EBUSY"),
                new Bad("POST", "/api/v1/drivers/nova-core/bind", "{\"device\":\"" + PASCAL + "\"}", 410, "ENODEV"),
                new Bad("POST", "/api/v1/drivers/nova-core/bind", "{}", 400, "EINVAL"),
                new Bad("POST", "/api/v1/drivers/nova-core/unbind", "{\"device\":\"" + UNBOUND + "\"}", 404, "ENODEV"),
                new Bad("POST", "/api/v1/drivers/nouveau/bind", "{\"device\":\"" + UNBOUND + "\"}", 404, "ENOENT"),
                new Bad("POST", "/api/v1/drivers/nouveau/unbind", "{\"device\":\"" + GA102 + "\"}", 404, "ENOENT"),
                new Bad("GET", "/api/v1/drivers/nouveau/policy", null, 404, "ENOENT"),
                new Bad("PUT", "/api/v1/drivers/nova-core/policy", "{\"policy\":\"yolo\"}", 400, "EINVAL"),
                new Bad("PUT", "/api/v1/drivers/nova-core/policy", "{\"policy\":null}", 400, "EINVAL")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCalls")
    void badCallIsAProblemAndChangesNothing(Bad bad) throws Exception {
        String before = snapshot();
        var request = request(HttpMethod.valueOf(bad.method()), bad.path());
        if (bad.body() != null) {
            request.contentType(MediaType.APPLICATION_JSON).content(bad.body());
        }
        expectProblem(callRejected(request), bad.status(), bad.errno());
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void unknownRouteWrongMethodAndWrongMediaTypeAreProblemsToo() throws Exception {
        expectProblem(mvc.perform(get("/api/v1/nothing-here")), 404, "ENOENT");
        expectProblem(mvc.perform(patch("/api/v1/devices")), 405, "EOPNOTSUPP");
        expectProblem(mvc.perform(post("/api/v1/devices").contentType(MediaType.TEXT_PLAIN).content("GA102")),
                415, "EINVAL");
    }

    @Test
    void unloadOfAnUnloadedModuleIsENOENT() throws Exception {
        call(post("/api/v1/modules/nova-core/unload")).andExpect(status().isOk());
        expectProblem(callRejected(post("/api/v1/modules/nova-core/unload")), 404, "ENOENT");
        expectProblem(callRejected(post("/api/v1/drivers/nova-core/bind").contentType(MediaType.APPLICATION_JSON).content("{\"device\":\"" + UNBOUND + "\"}")), 404, "ENOENT");
    }

    @Test
    void aFullBusIsENOSPC() throws Exception {
        // buses 01..ff hold one device each at slot 00.0; three are taken already
        for (int i = 0; i < 255 - 3; i++) {
            postJson("/api/v1/devices", "{\"chipset\":\"GP104\"}").andExpect(status().isCreated());
        }
        String before = snapshot();
        expectProblem(callRejected(post("/api/v1/devices").contentType(MediaType.APPLICATION_JSON)
                .content("{\"chipset\":\"GA102\"}")), 507, "ENOSPC");
        assertThat(snapshot()).isEqualTo(before);
    }

    /** Everything a client can see of the host's state. */
    private String snapshot() throws Exception {
        return body("/api/v1/devices") + body("/api/v1/modules") + body("/api/v1/drivers");
    }

    private String body(String path) throws Exception {
        return mvc.perform(get(path)).andReturn().getResponse().getContentAsString();
    }
}
