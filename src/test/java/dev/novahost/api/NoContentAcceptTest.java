package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;

/**
 * Issue 13, item 15: a route that answers 204 has no body to negotiate, so no {@code Accept} makes it
 * unacceptable: {@code application/problem+json} (a JSON type; it was a 406), {@code *}{@code /*}, a
 * JSON type, a list, or none. The routes are read from {@code openapi.yaml}: every operation with a 204
 * is sent with each of these, and each is done (204, no body) and really done.
 */
class NoContentAcceptTest extends ApiTest {

    private static final List<Optional<String>> ACCEPTS = List.of(
            Optional.of("application/problem+json"),
            Optional.of("application/json"),
            Optional.of("*/*"),
            Optional.of("application/*"),
            Optional.of("application/json, application/problem+json;q=0.9"),
            Optional.of("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Optional.empty());

    /** How to make the object each 204 operation acts on, and to see that it is gone: by operationId. */
    private final Map<String, Fixture> fixtures = Map.of(
            "deleteDevice", new Fixture(this::plugDevice, "/api/v1/devices/{address}"),
            "closeFile", new Fixture(this::openFile, "/api/v1/files/{fd}"),
            "deleteFirmware", new Fixture(this::putFirmware, "/api/v1/firmware/nvidia/{chip}/gsp/{file}"));

    private record Fixture(Make make, String template) {
    }

    @FunctionalInterface
    private interface Make {
        String path() throws Exception;
    }

    private record Operation(String method, String template, String id) {
    }

    @Test
    void everyRouteThatAnswers204TakesAnyAccept() throws Exception {
        var noContent = operationsWith204();
        assertThat(noContent).extracting(Operation::id).containsExactlyInAnyOrderElementsOf(fixtures.keySet());
        for (var operation : noContent) {
            var fixture = fixtures.get(operation.id());
            assertThat(fixture.template()).isEqualTo(operation.template());
            for (var accept : ACCEPTS) {
                String path = fixture.make().path();
                var request = request(HttpMethod.valueOf(operation.method()), path);
                accept.ifPresent(type -> request.header(HttpHeaders.ACCEPT, type));
                // the validator would hold each Accept to the documented response types (problem+json
                // for these routes' errors); the point here is that a 204 has none to match
                callRejected(request).andExpect(status().isNoContent()).andExpect(content().string(""));
                assertThat(mvc.perform(get(path)).andReturn().getResponse().getStatus())
                        .as("%s %s with Accept %s is done", operation.method(), path, accept.orElse("(none)"))
                        .isEqualTo(404);
            }
        }
    }

    /** Its errors are still problem details, whatever the client asked for. */
    @Test
    void anErrorOfA204RouteIsStillAProblem() throws Exception {
        for (String accept : List.of("application/problem+json", "text/html", "*/*")) {
            expectProblem(callRejected(request(HttpMethod.DELETE, "/api/v1/devices/0000:7f:00.0")
                    .header(HttpHeaders.ACCEPT, accept)), 404, "ENODEV");
            expectProblem(callRejected(request(HttpMethod.DELETE, "/api/v1/files/99999")
                    .header(HttpHeaders.ACCEPT, accept)), 404, "EBADF");
        }
    }

    private static List<Operation> operationsWith204() {
        var options = new ParseOptions();
        options.setResolve(true);
        var api = new OpenAPIV3Parser().read("openapi.yaml", null, options);
        var found = new ArrayList<Operation>();
        api.getPaths().forEach((template, item) -> item.readOperationsMap().forEach((method, operation) -> {
            if (operation.getResponses().containsKey("204")) {
                found.add(new Operation(method.name(), template, operation.getOperationId()));
            }
        }));
        return found;
    }

    private int plugged;

    private String plugDevice() throws Exception {
        String address = String.format("0000:%02x:00.0", 0x10 + plugged++);
        createDevice("GA102", address);
        return "/api/v1/devices/" + address;
    }

    private String openFile() throws Exception {
        if (mvc.perform(get("/api/v1/devices/" + GA102)).andReturn().getResponse().getStatus() == 404) {
            createDevice("GA102", GA102);
            loadNovaCore();
        }
        String body = call(post("/api/v1/devices/" + GA102 + "/files")).andExpect(status().isCreated())
                .andReturn().getResponse().getContentAsString();
        return "/api/v1/files/" + JsonPath.<Integer>read(body, "$.fd");
    }

    private String putFirmware() throws Exception {
        String path = "/api/v1/firmware/nvidia/ga102/gsp/extra-" + plugged++ + ".bin";
        call(put(path).contentType(MediaType.APPLICATION_OCTET_STREAM).content(new byte[] {1, 2, 3}))
                .andExpect(status().isCreated());
        return path;
    }
}
