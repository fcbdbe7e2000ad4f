package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.net.URI;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

/**
 * Issue 13, item 11: the closed sets a request names (errno, policy, chipset, timer mode, scope,
 * action, unload mode, the {@code force} flag) are taken as {@code openapi.yaml} spells them. Its rule:
 * closed sets are case-insensitive in requests, except the errno of {@code probeFailure}, which is upper
 * case. Nothing more is accepted: no blanks around a word, no {@code _} for {@code -}, no {@code yes} for
 * {@code true}. Each refusal is a 400 {@code EINVAL} and changes nothing.
 */
class ClosedSetWordsTest extends ApiTest {

    private static final String DEV = "/api/v1/devices/" + GA102;
    private static final String FAULTS = "/api/v1/drivers/nova-core/faults";
    private static final String POLICY = "/api/v1/drivers/nova-core/policy";

    @BeforeEach
    void boundGa102() throws Exception {
        createDevice("GA102", GA102);
        loadNovaCore();
    }

    record Call(String method, String path, String body) {
        @Override
        public String toString() {
            return method + " " + path + (body == null ? "" : " " + body);
        }
    }

    static Stream<Call> refused() {
        return Stream.of(
                new Call("PUT", FAULTS, "{\"probeFailure\":\"eio\"}"),
                new Call("PUT", FAULTS, "{\"probeFailure\":\"Eio\"}"),
                new Call("PUT", FAULTS, "{\"probeFailure\":\" EIO\"}"),
                new Call("PUT", FAULTS, "{\"probeFailure\":\"EIO \"}"),
                new Call("PUT", POLICY, "{\"policy\":\" fenced\"}"),
                new Call("PUT", POLICY, "{\"policy\":\"fenced\\n\"}"),
                new Call("PUT", POLICY, "{\"policy\":\"srcu \"}"),
                new Call("POST", "/api/v1/devices", "{\"chipset\":\" TU102\"}"),
                new Call("POST", "/api/v1/devices", "{\"chipset\":\"TU102 \"}"),
                new Call("POST", DEV + "/timers", "{\"mode\":\" oneshot\",\"delayNs\":1000}"),
                new Call("POST", DEV + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":1000,\"action\":\"read_ptimer\"}"),
                new Call("POST", DEV + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":1000,\"action\":\"touch_bar\"}"),
                new Call("POST", DEV + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":1000,\"scope\":\"device \"}"),
                new Call("POST", DEV + "/work", "{\"action\":\"read_ptimer\"}"),
                new Call("POST", DEV + "/work", "{\"scope\":\" module\"}"),
                new Call("POST", "/api/v1/modules/nova-core/unload?mode=%20pin", null),
                new Call("POST", "/api/v1/modules/nova-core/unload?mode=disassociate%20", null),
                new Call("POST", "/api/v1/modules/nova-core/unload?force=yes", null),
                new Call("POST", "/api/v1/modules/nova-core/unload?force=1", null),
                new Call("POST", "/api/v1/modules/nova-core/unload?force=on", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aWordOutsideTheContractIsEinvalAndChangesNothing(Call call) throws Exception {
        String before = snapshot();
        var request = request(HttpMethod.valueOf(call.method()), URI.create(call.path())); // sent as written
        if (call.body() != null) {
            request.contentType(MediaType.APPLICATION_JSON).content(call.body());
        }
        expectProblem(callRejected(request), 400, "EINVAL");
        assertThat(snapshot()).isEqualTo(before);
    }

    static Stream<Call> accepted() {
        return Stream.of(
                new Call("PUT", FAULTS, "{\"probeFailure\":\"EIO\"}"),
                new Call("PUT", FAULTS, "{\"probeFailure\":\"EPROBE_DEFER\"}"),
                new Call("PUT", POLICY, "{\"policy\":\"FENCED\"}"),
                new Call("PUT", POLICY, "{\"policy\":\"Revocable\"}"),
                new Call("PUT", POLICY, "{\"policy\":\"SRCU\"}"),
                new Call("POST", "/api/v1/devices", "{\"chipset\":\"tu102\"}"),
                new Call("POST", DEV + "/timers", "{\"mode\":\"ONESHOT\",\"delayNs\":1000,\"action\":\"Read-PTimer\",\"scope\":\"MODULE\"}"),
                new Call("POST", DEV + "/work", "{\"action\":\"TOUCH-BAR\",\"scope\":\"Device\"}"),
                new Call("POST", "/api/v1/modules/nova-core/unload?mode=PIN", null),
                new Call("POST", "/api/v1/modules/nova-core/unload?mode=Force&force=true", null),
                new Call("POST", "/api/v1/modules/nova-core/unload?force=false", null));
    }

    /** What the contract allows still works: the case of a word is free, the errno is upper case. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void aWordAsTheContractSpellsItIsTaken(Call call) throws Exception {
        var request = request(HttpMethod.valueOf(call.method()), URI.create(call.path())); // sent as written
        if (call.body() != null) {
            request.contentType(MediaType.APPLICATION_JSON).content(call.body());
        }
        // the validator compares enum words case-sensitively, so only the response is held to the contract
        callRejected(request).andExpect(status().is2xxSuccessful());
    }

    @org.junit.jupiter.api.Test
    void theExactInputTheContractShowsAsA400IsOne() throws Exception {
        expectProblem(callRejected(request(HttpMethod.PUT, FAULTS).contentType(MediaType.APPLICATION_JSON)
                .content("{\"probeFailure\":\"eio\"}")), 400, "EINVAL");
        getJson(FAULTS).andExpect(jsonPath("$.probeFailure").isEmpty());
        call(post("/api/v1/drivers/nova-core/unbind").contentType(MediaType.APPLICATION_JSON)
                .content("{\"device\":\"" + GA102 + "\"}")).andExpect(status().isOk());
        call(post("/api/v1/drivers/nova-core/bind").contentType(MediaType.APPLICATION_JSON)
                .content("{\"device\":\"" + GA102 + "\"}")).andExpect(status().isOk());
    }

    /** The refusal of a policy names the three it could have been (issue 18). */
    @org.junit.jupiter.api.Test
    void aPolicyOutsideTheSetIsRefusedNamingAllThree() throws Exception {
        callRejected(request(HttpMethod.PUT, POLICY).contentType(MediaType.APPLICATION_JSON)
                .content("{\"policy\":\"rcu\"}")).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("'rcu' is not a valid policy; use one of revocable, fenced, srcu"));
    }

    /** Everything a refused call could have changed. */
    private String snapshot() throws Exception {
        return body("/api/v1/devices") + body("/api/v1/modules") + body("/api/v1/drivers") + body(FAULTS)
                + body("/api/v1/timers") + body("/api/v1/work");
    }

    private String body(String path) throws Exception {
        return mvc.perform(get(path)).andReturn().getResponse().getContentAsString();
    }
}
