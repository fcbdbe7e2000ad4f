package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.novahost.kernel.Policy;
import dev.novahost.report.JunitXmlReader;
import dev.novahost.report.KtapChecker;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * {@code ?format=junit|ktap} on a scenario run and a sweep: a test report as {@code application/xml} or
 * {@code text/plain}, in UTF-8, checked against the contract like every answer; any other format is a 400
 * {@code EINVAL} before anything runs.
 */
class ScenarioReportApiTest extends ApiTest {

    private static final String RUN = "/api/v1/scenarios/run";
    private static final String SWEEP = "/api/v1/scenarios/sweep";
    private static final String COMPARE = "{\"name\":\"timer-fires-after-unbind\",\"policies\":[\"revocable\",\"fenced\"]}";

    @Test
    void aComparisonAsJunitIsXmlWithATestcasePerPolicy() throws Exception {
        var response = call(post(RUN + "?format=junit").contentType(MediaType.APPLICATION_JSON).content(COMPARE))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_XML))
                .andReturn().getResponse();

        assertThat(response.getContentType()).contains("charset=UTF-8");
        var xml = JunitXmlReader.parsedWithCountsAgreeing(response.getContentAsString(StandardCharsets.UTF_8));
        assertThat(xml.getDocumentElement().getAttribute("tests")).isEqualTo("2");
        assertThat(xml.getElementsByTagName("testcase").item(1).getAttributes().getNamedItem("name").getNodeValue())
                .isEqualTo("fenced");
    }

    @Test
    void aFailingRunAsKtapIsPlainTextWhoseCaseIsNotOk() throws Exception {
        String failing = """
                {"scenario":{"name":"fails","steps":[
                  {"op":"create-device","chipset":"GA102","address":"0000:01:00.0"},
                  {"op":"read-mmio","device":"0000:01:00.0","offset":"0x0","expect":{"value":"0x172000a1"}}]}}""";

        String text = call(post(RUN + "?format=ktap").contentType(MediaType.APPLICATION_JSON).content(failing))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_PLAIN))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);

        var suite = KtapChecker.read(text).getFirst();
        assertThat(suite.name()).isEqualTo("fails");
        assertThat(suite.ok()).isFalse();
        assertThat(text).contains("  # step 1 read-mmio: unexpected ENODEV\n");
    }

    @Test
    void aSweepAnswersInEitherFormat() throws Exception {
        String ktap = call(post(SWEEP + "?format=ktap").contentType(MediaType.APPLICATION_JSON)
                .content("{\"policies\":[\"fenced\"]}"))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_PLAIN))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(KtapChecker.read(ktap)).singleElement().satisfies(walk -> {
            assertThat(walk.name()).isEqualTo("sweep bind nova-core GA102 fenced");
            assertThat(walk.ok()).isTrue();
        });

        String junit = call(post(SWEEP + "?format=junit").contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isOk())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_XML))
                .andReturn().getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(JunitXmlReader.parsedWithCountsAgreeing(junit).getElementsByTagName("testsuite").getLength())
                .as("a suite per policy, every one by default").isEqualTo(Policy.values().length);
    }

    @Test
    void anUnknownFormatIsEinvalBeforeAnythingRuns() throws Exception {
        for (String path : new String[] {RUN + "?format=json", RUN + "?format=", SWEEP + "?format=tap"}) {
            var body = path.startsWith(RUN) ? COMPARE : "{}";
            expectProblem(callRejected(post(path).contentType(MediaType.APPLICATION_JSON).content(body)), 400, "EINVAL");
        }
    }

    @Test
    void withoutAFormatTheAnswerIsJsonEvenToABrowsersAccept() throws Exception {
        for (String accept : new String[] {"*/*", "application/json",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}) {
            call(post(RUN).contentType(MediaType.APPLICATION_JSON).header(HttpHeaders.ACCEPT, accept).content(COMPARE))
                    .andExpect(status().isOk())
                    .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON));
        }
    }

    /** The format's media type (or JSON without one) must be acceptable: 406 before anything runs, never a 500. */
    @Test
    void anAcceptThatAdmitsNotTheAnswersTypeIs406() throws Exception {
        var refusals = new String[][] {{RUN, "application/xml"}, {RUN, "text/plain"}, {RUN + "?format=junit", "application/json"},
                {RUN + "?format=ktap", "application/xml"}, {SWEEP + "?format=junit", "text/plain"}};
        for (String[] refused : refusals) {
            var body = refused[0].startsWith(RUN) ? COMPARE : "{}";
            expectProblem(callRejected(post(refused[0]).contentType(MediaType.APPLICATION_JSON)
                    .header(HttpHeaders.ACCEPT, refused[1]).content(body)), 406, "EINVAL");
        }
        call(post(RUN + "?format=junit").contentType(MediaType.APPLICATION_JSON).accept(MediaType.APPLICATION_XML)
                .content(COMPARE)).andExpect(status().isOk());
        call(post(SWEEP + "?format=ktap").contentType(MediaType.APPLICATION_JSON).header(HttpHeaders.ACCEPT, "text/*")
                .content("{}")).andExpect(status().isOk());
    }
}
