package dev.novahost.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.RequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP layer against whatever a client may send: every input sets up a host with a bound GPU, a
 * timer, a work item and an open file, then sends one to three requests made from the fuzzer's bytes
 * ({@link FuzzedRequest}: the contract's routes with good, odd and hostile parameters, other methods,
 * headers, bodies of every shape). For each answer:
 *
 * <ul>
 *   <li>never a 5xx: a request the service cannot handle is the client's error or a bug of ours;</li>
 *   <li>every error is {@code application/problem+json}, with its status and an errno in the body;</li>
 *   <li>a rejected (4xx) request changes nothing: devices, modules, drivers, faults and the driver's
 *       objects read the same before and after.</li>
 * </ul>
 *
 * <p>In the suite Jazzer runs this in regression mode over the committed inputs in
 * {@code src/test/resources/dev/novahost/reliability/HttpFuzzTestInputs/}; {@code JAZZER_FUZZ=1}
 * fuzzes for real (docs/RELIABILITY.md). The event stream is left out: it answers with a response
 * that never ends, and has its own tests.
 */
@SpringBootTest(properties = "nova.requests-per-second=0")
@AutoConfigureMockMvc
class HttpFuzzTest {

    private static final ApiRoutes ROUTES = new ApiRoutes(ApiRoutes.fromContract().routes().stream()
            .filter(r -> !r.template().equals("/api/v1/events/stream")).toList());
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String GPU = "0000:01:00.0";
    private static final AtomicLong INPUTS = new AtomicLong();
    private static final AtomicLong REQUESTS = new AtomicLong();

    @Autowired
    MockMvc mvc;

    /**
     * What Jazzer's agent instruments, unless {@code -Djazzer.instrument} says: its ASM cannot read Java
     * 25 class files (ours), so in regression mode nothing (no failed attempt per class loaded after
     * it, in the suite's shared JVM); when fuzzing, the framework code every request goes through, whose
     * coverage then guides the fuzzer. Its hooks into {@code java.util.regex} fail on Java 25 for the
     * same reason, with a stack trace per class, and are left off.
     */
    @BeforeAll
    static void chooseWhatJazzerInstruments() {
        if (System.getProperty("jazzer.disabled_hooks") == null) {
            System.setProperty("jazzer.disabled_hooks", "com.code_intelligence.jazzer.sanitizers.RegexRoadblocks");
        }
        if (System.getProperty("jazzer.instrument") == null) {
            boolean fuzzing = System.getenv("JAZZER_FUZZ") != null && !System.getenv("JAZZER_FUZZ").isEmpty();
            System.setProperty("jazzer.instrument", fuzzing
                    ? "tools.jackson.**,org.springframework.web.**,org.springframework.http.**,org.springframework.validation.**"
                    : "dev.novahost.reliability.instrument.nothing");
        }
    }

    @FuzzTest(maxDuration = "10m")
    void anyRequestIsAnsweredCleanly(FuzzedDataProvider data) throws Exception {
        INPUTS.incrementAndGet();
        var known = setUpHost();
        int requests = data.consumeInt(1, 3);
        for (int i = 0; i < requests; i++) {
            var request = FuzzedRequest.from(data, ROUTES, known);
            if (request.path().startsWith("/api/v1/events/stream")) {
                continue; // an endless response; see the class comment
            }
            var before = snapshot();
            var result = mvc.perform(request.builder()).andReturn();
            REQUESTS.incrementAndGet();
            assertAnsweredCleanly(request, result, before);
        }
    }

    @AfterAll
    static void report() {
        System.out.printf("HTTP fuzzing: %d inputs, %d fuzzed requests over %d routes %s%n", INPUTS.get(),
                REQUESTS.get(), ROUTES.routes().size(), ROUTES.countByMethod());
    }

    private void assertAnsweredCleanly(FuzzedRequest request, MvcResult result, Map<String, String> before)
            throws Exception {
        var response = result.getResponse();
        int status = response.getStatus();
        String body = response.getContentAsString();
        String said = request.description() + "\nwas answered " + status + " " + response.getContentType() + "\n  "
                + (body.length() > 2_000 ? body.substring(0, 2_000) + "..." : body);
        assertThat(status).as("no 5xx:\n%s", said).isLessThan(500);
        if (status < 400) {
            return;
        }
        assertThat(response.getContentType()).as("errors are problem details:\n%s", said).isNotNull();
        assertThat(MediaType.parseMediaType(response.getContentType()).isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .as("errors are application/problem+json:\n%s", said).isTrue();
        if (!request.method().equals("HEAD")) {
            JsonNode problem = JSON.readTree(body);
            assertThat(problem.path("status").asInt()).as("the problem's status:\n%s", said).isEqualTo(status);
            assertThat(problem.path("errno").asString()).as("the problem's errno:\n%s", said).isNotEmpty();
        }
        assertThat(snapshot()).as("a rejected request changes nothing:\n%s", said).isEqualTo(before);
    }

    /** A clean host: nova-core loaded, a GA102 bound, one of each object; returns their names. */
    private Map<String, String> setUpHost() throws Exception {
        send(post("/api/v1/host/reset"));
        send(post("/api/v1/modules/nova-core/load"));
        send(post("/api/v1/devices").contentType(MediaType.APPLICATION_JSON).content("{\"chipset\":\"GA102\"}"));
        var known = new LinkedHashMap<String, String>();
        known.put("address", GPU);
        known.put("offset", "0x1400");
        known.put("name", "nova-core");
        known.put("timers.id", idOf(send(post("/api/v1/devices/" + GPU + "/timers")
                .contentType(MediaType.APPLICATION_JSON).content("{\"mode\":\"oneshot\",\"delayNs\":3600000000000}")), "id"));
        known.put("work.id", idOf(send(post("/api/v1/devices/" + GPU + "/work")
                .contentType(MediaType.APPLICATION_JSON).content("{\"delayNs\":3600000000000}")), "id"));
        known.put("fd", idOf(send(post("/api/v1/devices/" + GPU + "/files")), "fd"));
        known.put("violations.id", "1");
        return known;
    }

    /** What a rejected request must leave as it was. */
    private Map<String, String> snapshot() throws Exception {
        var state = new LinkedHashMap<String, String>();
        for (String path : List.of("/api/v1/devices", "/api/v1/modules", "/api/v1/drivers",
                "/api/v1/drivers/nova-core/faults", "/api/v1/files")) {
            state.put(path, send(get(path)).getResponse().getContentAsString());
        }
        for (String path : List.of("/api/v1/timers", "/api/v1/work")) {
            state.put(path, JSON.readTree(send(get(path)).getResponse().getContentAsString()).findValuesAsString("id")
                    .toString());
        }
        return state;
    }

    private MvcResult send(RequestBuilder request) throws Exception {
        var result = mvc.perform(request).andReturn();
        assertThat(result.getResponse().getStatus()).as("set-up call answered").isLessThan(300);
        return result;
    }

    private static String idOf(MvcResult result, String field) throws Exception {
        return JSON.readTree(result.getResponse().getContentAsString()).path(field).asString();
    }
}
