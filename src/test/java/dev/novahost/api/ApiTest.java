package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.mockmvc.MockMvcResponse;
import com.atlassian.oai.validator.mockmvc.OpenApiMatchers;
import com.atlassian.oai.validator.model.Request;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.ResultActions;

/**
 * Base of the HTTP tests: one application context, a clean host before each test, and every request
 * and response of every test checked against {@code openapi.yaml}, so the suite is the contract test.
 */
@SpringBootTest
@AutoConfigureMockMvc
@AutoConfigureMetrics
abstract class ApiTest {

    /** Parsed once: the contract at the repo root, as served at /openapi.yaml. */
    static final OpenApiInteractionValidator CONTRACT =
            OpenApiInteractionValidator.createForSpecificationUrl("openapi.yaml").build();

    static final String GA102 = "0000:01:00.0";

    @Autowired
    MockMvc mvc;

    @BeforeEach
    void cleanHost() throws Exception {
        call(post("/api/v1/host/reset")).andExpect(status().isOk());
    }

    /** Performs the request and checks it, and its response, against the contract. */
    ResultActions call(RequestBuilder request) throws Exception {
        return mvc.perform(request).andExpect(new OpenApiMatchers().isValid(CONTRACT));
    }

    /**
     * Performs a request that is wrong on purpose: the request itself may break the contract, but the
     * problem that answers it must be a response the contract describes.
     */
    ResultActions callRejected(RequestBuilder request) throws Exception {
        return mvc.perform(request).andExpect(result -> {
            var sent = result.getRequest();
            var report = CONTRACT.validateResponse(sent.getRequestURI(), Request.Method.valueOf(sent.getMethod()),
                    MockMvcResponse.of(result.getResponse()));
            assertThat(report.getMessages()).as("response to %s %s matches openapi.yaml",
                    sent.getMethod(), sent.getRequestURI()).isEmpty();
        });
    }

    ResultActions getJson(String path) throws Exception {
        return call(get(path));
    }

    ResultActions postJson(String path, String json) throws Exception {
        return call(post(path).contentType(MediaType.APPLICATION_JSON).content(json));
    }

    ResultActions putJson(String path, String json) throws Exception {
        return call(put(path).contentType(MediaType.APPLICATION_JSON).content(json));
    }

    ResultActions deleteAt(String path) throws Exception {
        return call(delete(path));
    }

    // --- steps of a story, in the kernel's words ---

    void createDevice(String chipset, String address) throws Exception {
        postJson("/api/v1/devices", "{\"chipset\":\"" + chipset + "\",\"address\":\"" + address + "\"}")
                .andExpect(status().isCreated());
    }

    void loadNovaCore() throws Exception {
        call(post("/api/v1/modules/nova-core/load")).andExpect(status().isOk());
    }

    void bind(String address) throws Exception {
        postJson("/api/v1/drivers/nova-core/bind", "{\"device\":\"" + address + "\"}").andExpect(status().isOk());
    }

    void unbind(String address) throws Exception {
        postJson("/api/v1/drivers/nova-core/unbind", "{\"device\":\"" + address + "\"}").andExpect(status().isOk());
    }

    /** The response is a problem with this status and errno. */
    static void expectProblem(ResultActions result, int status, String errno) throws Exception {
        result.andExpect(status().is(status))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.errno").value(errno))
                .andExpect(jsonPath("$.status").value(status))
                .andExpect(jsonPath("$.detail").isNotEmpty())
                .andExpect(jsonPath("$.title").isNotEmpty())
                .andExpect(jsonPath("$.type").value("urn:nova-host:errno:" + errno))
                .andExpect(jsonPath("$.trace").doesNotExist());
    }
}
