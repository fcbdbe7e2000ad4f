package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.head;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerMapping;

/**
 * The register read's own mapping answers exactly what the annotated route answers, success and every
 * failure, and leaves to it every request it cannot answer the same way.
 */
class RegisterReadMappingTest extends ApiTest {

    private static final String UNBOUND = "0000:04:00.0";
    /** Accepts JSON, but not in a spelling the mapping takes: the annotated route answers. */
    private static final String NEGOTIATED = "application/json;q=0.9, text/plain;q=0.1";

    @Autowired
    MeterRegistry meters;

    @BeforeEach
    void host() throws Exception {
        createDevice("GA102", GA102);
        loadNovaCore();
        createDevice("TU102", UNBOUND);
        unbind(UNBOUND);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/api/v1/devices/0000:01:00.0/mmio/0x0",          // NV_PMC_BOOT_0: a value that does not move
        "/api/v1/devices/0000:01:00.0/mmio/4",            // decimal, no register name
        "/api/v1/devices/0000:01:00.0/mmio/0x9402",       // misaligned: 400 EINVAL
        "/api/v1/devices/0000:01:00.0/mmio/0x1000000",    // past the BAR: 400 EINVAL
        "/api/v1/devices/0000:01:00.0/mmio/0xZZ",         // not a number: 400 EINVAL
        "/api/v1/devices/not-an-address/mmio/0x0",        // 400 EINVAL
        "/api/v1/devices/0000:7f:00.0/mmio/0x0",          // no such device: 404 ENODEV
        "/api/v1/devices/0000:04:00.0/mmio/0x0"})         // no driver: 410 ENODEV
    void answersAsTheAnnotatedRoute(String path) throws Exception {
        MvcResult annotated = callRejected(get(path).header(HttpHeaders.ACCEPT, NEGOTIATED)).andReturn();
        assertThat(handlerOf(annotated)).isEqualTo(DeviceController.class);
        for (var request : List.of(get(path), get(path).header(HttpHeaders.ACCEPT, "*/*"),
                get(path).header(HttpHeaders.ACCEPT, "application/json"))) {
            MvcResult own = callRejected(request).andReturn();
            assertThat(handlerOf(own)).isEqualTo(RegisterReadMapping.class);
            assertThat(own.getResponse().getStatus()).isEqualTo(annotated.getResponse().getStatus());
            assertThat(own.getResponse().getContentType()).isEqualTo(annotated.getResponse().getContentType());
            assertThat(own.getResponse().getContentAsString()).isEqualTo(annotated.getResponse().getContentAsString());
            assertThat(own.getResponse().getHeaderNames()).containsExactlyInAnyOrderElementsOf(
                    annotated.getResponse().getHeaderNames());
        }
    }

    @Test
    void recordsTheRequestUnderTheAnnotatedRoutesPattern() throws Exception {
        // the pattern Spring MVC matched on the annotated route: the mapping's copy cannot drift from it
        MvcResult annotated = call(get("/api/v1/devices/" + GA102 + "/mmio/0x0").header(HttpHeaders.ACCEPT, NEGOTIATED))
                .andReturn();
        assertThat(annotated.getRequest().getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE))
                .isEqualTo(RegisterReadMapping.PATTERN);
        long before = requests();
        MvcResult own = getJson("/api/v1/devices/" + GA102 + "/mmio/0x0").andReturn();
        assertThat(handlerOf(own)).isEqualTo(RegisterReadMapping.class);
        assertThat(requests()).isEqualTo(before + 1);
    }

    /** HEAD, other methods, other shapes, encoded text and other {@code Accept}s are the annotated routes'. */
    @Test
    void leavesEveryOtherRequestToTheAnnotatedRoutes() throws Exception {
        String register = "/api/v1/devices/" + GA102 + "/mmio/0x0";
        for (MockHttpServletRequestBuilder request : List.of(
                head(register),
                get(register).header(HttpHeaders.ACCEPT, "application/problem+json"),
                get(register).header(HttpHeaders.ACCEPT, "text/plain"),
                get("/api/v1/devices/0000%3A01%3A00.0/mmio/0x0"),
                get("/api/v1/devices/" + GA102 + "/mmio?offset=0x0"),
                get("/api/v1/devices/" + GA102 + "/mmio/0x0/more"),
                get("/api/v1/devices/" + GA102 + "/ptimer"),
                get("/api/v1/devices/" + GA102),
                get("/api/v1/files/1/mmio/0x0"))) {
            MvcResult result = mvc.perform(request).andReturn();
            assertThat(handlerOf(result)).as(result.getRequest().getMethod() + " " + result.getRequest().getRequestURI()
                    + " " + result.getRequest().getHeader(HttpHeaders.ACCEPT)).isNotEqualTo(RegisterReadMapping.class);
        }
        expectProblem(callRejected(get(register).header(HttpHeaders.ACCEPT, "text/plain")), 406, "EINVAL");
    }

    private long requests() {
        var timer = meters.find("http.server.requests").tag("uri", RegisterReadMapping.PATTERN).tag("status", "200").timer();
        return timer == null ? 0 : timer.count();
    }

    private static Class<?> handlerOf(MvcResult result) {
        return result.getHandler() instanceof HandlerMethod method ? method.getBeanType() : null;
    }
}
