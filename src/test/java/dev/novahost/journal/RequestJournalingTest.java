package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/** Each state-changing request reaches the journal as one operation, before it is answered. */
@SpringBootTest(properties = "nova.requests-per-second=0")
@AutoConfigureMockMvc
class RequestJournalingTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    Journal journal;

    @Test
    void aHotPlugAndAHotUnplugAreEachOneOperation() throws Exception {
        mvc.perform(post("/api/v1/host/reset")).andExpect(status().isOk());
        mvc.perform(post("/api/v1/modules/nova-core/load")).andExpect(status().isOk());

        mvc.perform(post("/api/v1/devices").contentType(MediaType.APPLICATION_JSON)
                .content("{\"chipset\":\"GA102\",\"address\":\"0000:07:00.0\"}")).andExpect(status().isCreated());
        assertThat(lastLines(2)).satisfiesExactly(
                added -> assertThat(added).contains("\"op\":\"device.added\"", "\"more\":\"true\""),
                bound -> assertThat(bound).contains("\"op\":\"driver.bound\"").doesNotContain("more"));

        mvc.perform(delete("/api/v1/devices/0000:07:00.0")).andExpect(status().isNoContent());
        assertThat(lastLines(2)).satisfiesExactly(
                unbound -> assertThat(unbound).contains("\"op\":\"driver.unbound\"", "\"more\":\"true\""),
                removed -> assertThat(removed).contains("\"op\":\"device.removed\"").doesNotContain("more"));
    }

    private List<String> lastLines(int count) throws Exception {
        var lines = JournalLines.of(journal.file());
        return lines.subList(lines.size() - count, lines.size());
    }
}
