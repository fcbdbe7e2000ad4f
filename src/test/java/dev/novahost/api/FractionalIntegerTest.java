package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

/**
 * Issue 13, item 16 (request bodies): an integer field given a fractional number ({@code "delayNs": 3.5})
 * was truncated (to 3) and accepted. Now every integer field of every request body in
 * {@code openapi.yaml} refuses it with a 400 {@code EINVAL} problem that names the field, and nothing
 * changes. The fields are read from the contract, so a new integer field is covered the day it is
 * documented; a string where an integer or boolean belongs is refused the same way.
 */
class FractionalIntegerTest extends ApiTest {

    private static final String DEV = "/api/v1/devices/" + GA102;

    /** A request each body-taking operation accepts, with its integer fields set: by operationId. */
    private record Valid(String method, String path, String body) {
    }

    private final Map<String, Valid> valid = new TreeMap<>();

    @BeforeEach
    void boundGa102WithAWorkItemAndAFile() throws Exception {
        createDevice("GA102", GA102);
        loadNovaCore();
        long work = number(postJson(DEV + "/work", "{\"delayNs\":3600000000000}"), "$.id");
        long fd = number(call(post(DEV + "/files")), "$.fd");
        valid.put("armTimer", new Valid("POST", DEV + "/timers", "{\"mode\":\"periodic\",\"delayNs\":3600000000000,"
                + "\"periodNs\":3600000000000,\"action\":\"queue-work\",\"work\":" + work + ",\"holdNs\":0}"));
        valid.put("queueWork", new Valid("POST", DEV + "/work",
                "{\"delayNs\":3600000000000,\"requeue\":0,\"holdNs\":0}"));
        valid.put("writeRegister", new Valid("PUT", DEV + "/mmio/0x1400", "{\"value\":7}"));
        valid.put("writeFileRegister", new Valid("PUT", "/api/v1/files/" + fd + "/mmio/0x1400", "{\"value\":7}"));
        valid.put("runScenario", new Valid("POST", "/api/v1/scenarios/run",
                "{\"scenario\":{\"seed\":1,\"steps\":[{\"op\":\"load\"}]}}"));
        valid.put("exploreScenario", new Valid("POST", "/api/v1/scenarios/explore", "{\"scenario\":{\"seed\":1,\"steps\":["
                + "{\"op\":\"create-device\",\"chipset\":\"GA102\",\"address\":\"0000:01:00.0\"},{\"op\":\"load\"},{\"op\":\"unbind\","
                + "\"device\":\"0000:01:00.0\"}]},\"bound\":1,\"budget\":5}"));
        valid.put("setDriverFaults", new Valid("PUT", "/api/v1/drivers/nova-core/faults", "{\"seed\":7}"));
    }

    @Test
    void everyIntegerFieldOfEveryRequestBodyRefusesAFraction() throws Exception {
        var fields = integerFields();
        assertThat(fields).as("operations with integer body fields, all with a valid request here")
                .containsOnlyKeys(valid.keySet());
        for (var operation : fields.entrySet()) {
            var request = valid.get(operation.getKey());
            sent(request, request.body()).andExpect(status().is2xxSuccessful());
            for (String field : operation.getValue()) {
                refused(request, field, "3.5");
                refused(request, field, "-0.25");
                refused(request, field, "1e-3");
            }
        }
    }

    /** The fields of the scenario steps, which the contract describes in prose, refuse a fraction too. */
    @Test
    void theIntegerArgumentsOfScenarioStepsRefuseAFraction() throws Exception {
        var run = new Valid("POST", "/api/v1/scenarios/run", null);
        for (String step : List.of(
                "{\"op\":\"arm-timer\",\"device\":\"0000:01:00.0\",\"mode\":\"oneshot\",\"delayNs\":2.5}",
                "{\"op\":\"arm-timer\",\"device\":\"0000:01:00.0\",\"mode\":\"periodic\",\"delayNs\":1,\"periodNs\":10000.5}",
                "{\"op\":\"queue-work\",\"device\":\"0000:01:00.0\",\"delayNs\":0.5}",
                "{\"op\":\"queue-work\",\"device\":\"0000:01:00.0\",\"requeue\":1.5}",
                "{\"op\":\"advance\",\"ns\":1.5}",
                "{\"op\":\"expect\",\"violations\":[{\"kind\":\"timer_free_active\",\"count\":0.5}]}")) {
            String body = "{\"scenario\":{\"steps\":[{\"op\":\"create-device\",\"chipset\":\"GA102\",\"address\":\"0000:01:00.0\"},"
                    + "{\"op\":\"load\"}," + step + "]}}";
            expectProblem(callRejected(request(HttpMethod.POST, run.path()).contentType(MediaType.APPLICATION_JSON)
                    .content(body)), 400, "EINVAL");
        }
    }

    /** Jackson's other coercion: a number or flag written as a string is not one either. */
    @Test
    void aStringIsNotAnIntegerOrABoolean() throws Exception {
        String before = snapshot();
        for (var bad : List.of(
                new Valid("POST", DEV + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":\"1000\"}"),
                new Valid("POST", DEV + "/work", "{\"requeue\":\"2\"}"),
                new Valid("PUT", "/api/v1/drivers/nova-core/faults", "{\"forgetTimerCancel\":\"true\"}"),
                new Valid("PUT", "/api/v1/drivers/nova-core/faults", "{\"leakRegion\":1}"))) {
            expectProblem(sent(bad, bad.body()), 400, "EINVAL");
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    private void refused(Valid request, String field, String fraction) throws Exception {
        String before = snapshot();
        String body = JsonPath.parse(request.body()).set(pathOf(field), new java.math.BigDecimal(fraction)).jsonString();
        var answer = sent(request, body);
        expectProblem(answer, 400, "EINVAL");
        answer.andExpect(jsonPath("$.detail").value(Matchers.containsString(leaf(field))));
        assertThat(snapshot()).as("%s %s with %s", request.method(), request.path(), body).isEqualTo(before);
    }

    private org.springframework.test.web.servlet.ResultActions sent(Valid request, String body) throws Exception {
        return callRejected(request(HttpMethod.valueOf(request.method()), request.path())
                .contentType(MediaType.APPLICATION_JSON).content(body));
    }

    /**
     * The integer fields of each operation's request body, as dotted paths ({@code scenario.seed}),
     * read from the contract: every property typed {@code integer}, alone or among other types.
     */
    private static Map<String, List<String>> integerFields() {
        var options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        var api = new OpenAPIV3Parser().read("openapi.yaml", null, options);
        var found = new TreeMap<String, List<String>>();
        api.getPaths().values().forEach(item -> item.readOperations().forEach(operation -> {
            var body = Optional.ofNullable(operation.getRequestBody()).map(b -> b.getContent().get("application/json"));
            body.ifPresent(content -> {
                var fields = new ArrayList<String>();
                collect(content.getSchema(), "", fields);
                if (!fields.isEmpty()) {
                    found.put(operation.getOperationId(), fields);
                }
            });
        }));
        return found;
    }

    private static void collect(Schema<?> schema, String prefix, List<String> fields) {
        if (schema == null || schema.getProperties() == null) {
            return;
        }
        schema.getProperties().forEach((name, property) -> {
            var types = Optional.ofNullable(property.getTypes()).orElse(java.util.Set.of());
            if (types.contains("integer") || "integer".equals(property.getType())) {
                fields.add(prefix + name);
            }
            collect(property, prefix + name + ".", fields);
        });
    }

    private static String pathOf(String field) {
        return "$." + field;
    }

    private static String leaf(String field) {
        return field.substring(field.lastIndexOf('.') + 1);
    }

    private static long number(org.springframework.test.web.servlet.ResultActions created, String path) throws Exception {
        return ((Number) JsonPath.read(created.andReturn().getResponse().getContentAsString(), path)).longValue();
    }

    /** Everything a refused body could have changed. */
    private String snapshot() throws Exception {
        return body("/api/v1/devices") + body("/api/v1/drivers/nova-core/faults") + body("/api/v1/timers")
                + body("/api/v1/work") + body("/api/v1/files") + body(DEV + "/mmio?offset=0x1400&count=1");
    }

    private String body(String path) throws Exception {
        return mvc.perform(get(path)).andReturn().getResponse().getContentAsString();
    }
}
