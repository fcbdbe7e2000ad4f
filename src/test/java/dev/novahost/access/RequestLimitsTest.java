package dev.novahost.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/** Past the body size or the request rate a client gets a clean 413 or 429 problem, and nothing changes. */
@SpringBootTest(properties = {"nova.max-body-bytes=64", "nova.requests-per-second=20"})
@AutoConfigureMockMvc
class RequestLimitsTest {

    @Autowired
    MockMvc mvc;

    @Test
    void aBodyOverTheLimitIs413AndChangesNothing() throws Exception {
        String before = mvc.perform(get("/api/v1/devices")).andReturn().getResponse().getContentAsString();
        var response = mvc.perform(post("/api/v1/devices").contentType(MediaType.APPLICATION_JSON)
                .content("{\"chipset\":\"GA102\",\"address\":\"0000:09:00.0\",\"revision\":\"0xa1\",\"padding\":\"xxxxxxxx\"}"))
                .andReturn().getResponse();
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentAsString()).contains("\"errno\":\"E2BIG\"");
        assertThat(mvc.perform(get("/api/v1/devices")).andReturn().getResponse().getContentAsString()).isEqualTo(before);
    }

    @Test
    void aClientOverItsRateGets429WithRetryAfter() throws Exception {
        int limited = 0;
        for (int i = 0; i < 200 && limited == 0; i++) {
            var response = mvc.perform(get("/api/v1/host")).andReturn().getResponse();
            if (response.getStatus() == 429) {
                limited++;
                assertThat(response.getHeader("Retry-After")).isEqualTo("1");
                assertThat(response.getContentAsString()).contains("\"errno\":\"EAGAIN\"");
            }
        }
        assertThat(limited).as("a burst of 200 requests at 20/s is limited").isEqualTo(1);
    }
}
