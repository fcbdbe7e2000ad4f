package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * Issue 13 item 9 through HTTP: the service's journal on a {@link FillingDisk}. A full disk refuses a
 * change with {@code 507 ENOSPC} and changes nothing; once there is room, every acknowledged change is
 * in the journal as a restart after kill -9 reads it; a failed compaction does not fail the request
 * whose record was written; a write that fails after the change stops the journal ({@code 503 EIO}).
 */
@SpringBootTest(properties = {"nova.requests-per-second=0", "nova.journal-segment-bytes=8192",
        "nova.journal-compact-every=40"})
@AutoConfigureMockMvc
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Import(JournalDiskFullTest.OnAFillingDisk.class)
class JournalDiskFullTest {

    private static final FillingDisk DISK = new FillingDisk();
    private static final Path DATA = temporaryFolder();
    private static final String GPU = "0000:05:00.0";
    private static final String REFUSED_GPU = "0000:06:00.0";

    /** Not a {@code @Configuration}: the child JVMs of other tests scan the test classes too. */
    static class OnAFillingDisk {
        @Bean
        JournalFiles journalFiles() {
            return DISK;
        }
    }

    @DynamicPropertySource
    static void dataFolder(DynamicPropertyRegistry registry) {
        registry.add("nova.data-dir", DATA::toString);
    }

    @Autowired
    MockMvc mvc;

    @Test
    @Order(1)
    void aFullDiskRefusesChangesWith507AndChangesNothingAndEveryAcknowledgedChangeSurvives() throws Exception {
        DISK.free(Long.MAX_VALUE);
        mvc.perform(post("/api/v1/host/reset")).andExpect(status().isOk());
        mvc.perform(post("/api/v1/modules/nova-core/load")).andExpect(status().isOk());
        mvc.perform(post("/api/v1/devices").contentType(MediaType.APPLICATION_JSON)
                .content("{\"chipset\":\"GA102\",\"address\":\"" + GPU + "\"}")).andExpect(status().isCreated());

        DISK.free(0);
        String acknowledged = "revocable";
        int refusedStatus = 200;
        for (int i = 0; i < 300 && refusedStatus == 200; i++) {
            String next = acknowledged.equals("revocable") ? "fenced" : "revocable";
            refusedStatus = setPolicy(next).andReturn().getResponse().getStatus();
            if (refusedStatus == 200) {
                acknowledged = next;
            }
        }
        assertThat(refusedStatus).as("a change refused within 300 once the disk is full").isEqualTo(507);
        expectNoSpace(setPolicy(acknowledged.equals("revocable") ? "fenced" : "revocable"),
                "/api/v1/drivers/nova-core/policy");
        expectNoSpace(mvc.perform(post("/api/v1/devices").contentType(MediaType.APPLICATION_JSON)
                .content("{\"chipset\":\"GA102\",\"address\":\"" + REFUSED_GPU + "\"}")), "/api/v1/devices");
        mvc.perform(get("/api/v1/drivers/nova-core/policy")).andExpect(jsonPath("$.policy").value(acknowledged));
        mvc.perform(get("/api/v1/devices/" + REFUSED_GPU)).andExpect(status().isNotFound());
        mvc.perform(post("/api/v1/scenarios/run").contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"timer-fires-after-unbind\"}"))
                .andExpect(status().isOk()); // it records nothing, so a full disk does not refuse it

        DISK.free(Long.MAX_VALUE);
        String last = acknowledged.equals("revocable") ? "fenced" : "revocable";
        setPolicy(last).andExpect(status().isOk());
        mvc.perform(post("/api/v1/drivers/nova-core/unbind").contentType(MediaType.APPLICATION_JSON)
                .content("{\"device\":\"" + GPU + "\"}")).andExpect(status().isOk());

        // kill -9: nothing more reaches the disk; a new start reads the journal as it is now
        try (var restarted = Journal.open(DATA, 1000)) {
            assertThat(restarted.tornTail()).isEmpty();
            assertThat(restarted.replay()).contains(
                    Map.of("op", "driver.policy", "driver", "nova-core", "policy", last),
                    Map.of("op", "driver.unbound", "device", GPU))
                    .noneMatch(record -> REFUSED_GPU.equals(record.get("device")));
        }
    }

    /** Compaction runs after the record is on disk: a read-only folder makes it a WARN, never a failed request. */
    @Test
    @Order(2)
    void aFailedCompactionDoesNotFailTheRequestWhoseRecordWasWritten(CapturedOutput output) throws Exception {
        DISK.free(Long.MAX_VALUE);
        DISK.refuseOpening(".compacting");
        try {
            for (int i = 0; i < 45; i++) {
                setPolicy(i % 2 == 0 ? "fenced" : "revocable").andExpect(status().isOk());
            }
        } finally {
            DISK.refuseOpening(null);
        }
        assertThat(output).contains("compaction failed", "Read-only file system");
        assertThat(JournalLines.of(DATA.resolve(Journal.FILE))).hasSizeGreaterThan(40);
    }

    /** PostgreSQL's PANIC: a write that failed after the change is not retried, and no change is taken after it. */
    @Test
    @Order(3)
    @DirtiesContext(methodMode = DirtiesContext.MethodMode.AFTER_METHOD)
    void aWriteThatFailsAfterTheChangeAnswers503AndTheJournalTakesNoMoreChanges() throws Exception {
        DISK.free(Long.MAX_VALUE);
        DISK.failOnceAfter(20);
        setPolicy("fenced").andExpect(status().isServiceUnavailable())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.errno").value("EIO"))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("not durable")));
        setPolicy("revocable").andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("restart nova-host")));
        mvc.perform(get("/api/v1/drivers/nova-core/policy")).andExpect(status().isOk());
    }

    private ResultActions setPolicy(String policy) throws Exception {
        return mvc.perform(put("/api/v1/drivers/nova-core/policy").contentType(MediaType.APPLICATION_JSON)
                .content("{\"policy\":\"" + policy + "\"}"));
    }

    private static void expectNoSpace(ResultActions answer, String instance) throws Exception {
        answer.andExpect(status().isInsufficientStorage())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("urn:nova-host:errno:ENOSPC"))
                .andExpect(jsonPath("$.title").value("No space left on device"))
                .andExpect(jsonPath("$.status").value(507))
                .andExpect(jsonPath("$.errno").value("ENOSPC"))
                .andExpect(jsonPath("$.instance").value(instance))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("nothing was changed")));
    }

    private static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("nova-journal-disk-full-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
