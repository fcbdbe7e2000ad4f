package dev.novahost.reliability;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Found by the HTTP fuzz test: a state-changing request whose {@code Accept} names no JSON type is
 * answered 406, but only after its handler has run, so the change it was refused for has happened
 * (here a device is plugged, and a client told "not acceptable" has no reason to think so). Every API
 * mapping now declares what it produces, so the 406 comes from handler mapping, before anything runs.
 */
@SpringBootTest(properties = "nova.requests-per-second=0")
@AutoConfigureMockMvc
class NotAcceptableTest {

    @Autowired
    MockMvc mvc;

    @BeforeEach
    void cleanHost() throws Exception {
        mvc.perform(post("/api/v1/host/reset")).andExpect(status().isOk());
    }

    @Test
    void aRequestAnsweredNotAcceptableChangesNothing() throws Exception {
        mvc.perform(post("/api/v1/devices").contentType(MediaType.APPLICATION_JSON).content("{\"chipset\":\"GA102\"}")
                        .accept(MediaType.TEXT_HTML))
                .andExpect(status().isNotAcceptable())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.errno").exists());

        mvc.perform(get("/api/v1/devices")).andExpect(content().json("[]"));
    }

    @Test
    void aRefusedUnbindLeavesTheDriverBound() throws Exception {
        mvc.perform(post("/api/v1/modules/nova-core/load")).andExpect(status().isOk());
        mvc.perform(post("/api/v1/devices").contentType(MediaType.APPLICATION_JSON)
                .content("{\"chipset\":\"GA102\",\"address\":\"0000:01:00.0\"}")).andExpect(status().isCreated());
        mvc.perform(get("/api/v1/devices/0000:01:00.0")).andExpect(jsonPath("$.driver").value("nova-core"));

        mvc.perform(post("/api/v1/drivers/nova-core/unbind").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"device\":\"0000:01:00.0\"}").accept(MediaType.TEXT_PLAIN))
                .andExpect(status().isNotAcceptable());

        mvc.perform(get("/api/v1/devices/0000:01:00.0")).andExpect(jsonPath("$.driver").value("nova-core"));
    }

    @Test
    void theEventStreamStillNegotiatesItsOwnType() throws Exception {
        mvc.perform(get("/api/v1/events/stream").accept(MediaType.APPLICATION_JSON))
                .andExpect(status().isNotAcceptable());
    }
}
