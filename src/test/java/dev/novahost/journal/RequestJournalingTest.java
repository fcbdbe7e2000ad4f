package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.file.Files;
import dev.novahost.kernel.novacore.TimerService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    @Autowired
    TimerService timers;

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

    /**
     * An unplug that answered 202 (remove() waits for a held timer callback) records nothing until its
     * task ends; then its records follow, in order, each on its own.
     */
    @Test
    void anUnplugThatOutlivedItsRequestIsJournaledWhenItsTaskEnds() throws Exception {
        mvc.perform(post("/api/v1/host/reset")).andExpect(status().isOk());
        mvc.perform(post("/api/v1/modules/nova-core/load")).andExpect(status().isOk());
        mvc.perform(post("/api/v1/devices").contentType(MediaType.APPLICATION_JSON)
                .content("{\"chipset\":\"GA102\",\"address\":\"0000:07:00.0\"}")).andExpect(status().isCreated());
        mvc.perform(post("/api/v1/devices/0000:07:00.0/timers").contentType(MediaType.APPLICATION_JSON)
                .content("{\"mode\":\"periodic\",\"delayNs\":0,\"periodNs\":1000000}")).andExpect(status().isCreated());
        var callback = timers.all().getFirst().holdNextCallback();
        try {
            assertThat(callback.awaitEntered(10, TimeUnit.SECONDS)).isTrue();
            mvc.perform(delete("/api/v1/devices/0000:07:00.0?wait=50")).andExpect(status().isAccepted());
            assertThat(lastLines(1)).singleElement().asString().contains("\"op\":\"driver.bound\"");
        } finally {
            callback.release();
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lastLines(2)).satisfiesExactly(
                unbound -> assertThat(unbound).contains("\"op\":\"driver.unbound\""),
                removed -> assertThat(removed).contains("\"op\":\"device.removed\"")));
    }

    private List<String> lastLines(int count) throws Exception {
        var lines = JournalLines.of(journal.file());
        return lines.subList(lines.size() - count, lines.size());
    }
}
