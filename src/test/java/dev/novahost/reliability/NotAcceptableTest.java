package dev.novahost.reliability;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Found by the HTTP fuzz test: a state-changing request whose {@code Accept} names no JSON type is
 * answered 406, but only after its handler has run, so the change it was refused for has happened
 * (here a device is plugged, and a client told "not acceptable" has no reason to think so).
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
    @Disabled("bug: a POST/PUT/DELETE with an Accept header naming no JSON type runs, then is answered 406 (the"
            + " answer is negotiated after the handler returned); fix: declare produces = application/json on"
            + " the API controllers' mappings, so the 406 comes from handler mapping before anything runs")
    void aRequestAnsweredNotAcceptableChangesNothing() throws Exception {
        mvc.perform(post("/api/v1/devices").contentType(MediaType.APPLICATION_JSON).content("{\"chipset\":\"GA102\"}")
                        .accept(MediaType.TEXT_HTML))
                .andExpect(status().isNotAcceptable());

        mvc.perform(get("/api/v1/devices")).andExpect(content().json("[]"));
    }
}
