package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;

import com.jayway.jsonpath.JsonPath;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.Sanitizer;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@code GET /api/v1/violations} after a storm (issue 13, item 6): a page is small, its headers say how
 * many groups are kept and how many reports were dropped, and following {@code Link: rel="next"} walks
 * every kept group once. Kinds are read as every word of the API is (item 12).
 */
class ViolationApiTest extends ApiTest {

    private static final Pattern NEXT = Pattern.compile("^<([^>]+)>; rel=\"next\"$");

    @Autowired
    Kernel kernel;

    /** {@code n} reports of a timer run after remove(), each at a timer of its own: a new group each. */
    private void storm(int n) {
        for (int i = 1; i <= n; i++) {
            kernel.sanitizer().report(ViolationKind.TIMER_AFTER_REMOVE, Outcome.OCCURRED, Policy.FENCED, GA102,
                    "timer " + i, 1, "timer " + i + " of " + GA102 + " ran after remove() returned", List.of());
        }
    }

    @Test
    void aStormIsReadAPageAtATimeWithTheDroppedCount() throws Exception {
        int reports = Sanitizer.DEFAULT_CAPACITY * 5;
        storm(reports);

        var first = getJson("/api/v1/violations")
                .andExpect(jsonPath("$.length()").value(ViolationController.DEFAULT_LIMIT))
                .andExpect(jsonPath("$[0].object").value("timer 1"))
                .andExpect(header().string(ViolationController.TOTAL, "" + Sanitizer.DEFAULT_CAPACITY))
                .andExpect(header().string(ViolationController.DROPPED, "" + (reports - Sanitizer.DEFAULT_CAPACITY)))
                .andReturn().getResponse();
        assertThat(first.getContentAsString().length()).as("a page is small").isLessThan(64 * 1024);

        var objects = new ArrayList<String>();
        String next = "/api/v1/violations?limit=300";
        int pages = 0;
        while (next != null) {
            var page = getJson(next).andReturn().getResponse();
            objects.addAll(JsonPath.read(page.getContentAsString(), "$[*].object"));
            var link = page.getHeader("Link");
            next = null;
            if (link != null) {
                var matcher = NEXT.matcher(link);
                assertThat(matcher.matches()).as(link).isTrue();
                next = matcher.group(1);
            }
            pages++;
        }
        assertThat(pages).isEqualTo(4);
        assertThat(objects).hasSize(Sanitizer.DEFAULT_CAPACITY).doesNotHaveDuplicates()
                .startsWith("timer 1", "timer 2").endsWith("timer " + Sanitizer.DEFAULT_CAPACITY);

        String scrape = mvc.perform(get("/actuator/prometheus")).andReturn().getResponse().getContentAsString();
        assertThat(scrape).as("the counters count what the store dropped too").contains(
                "nova_lifecycle_violations_total{kind=\"timer_after_remove\",outcome=\"occurred\",policy=\"fenced\"}");
        assertThat(counter(scrape, "nova_lifecycle_violations_total{kind=\"timer_after_remove\",outcome=\"occurred\","
                + "policy=\"fenced\"}")).isGreaterThanOrEqualTo(reports);
        assertThat(counter(scrape, "nova_violations_dropped_total")).isGreaterThanOrEqualTo(reports - Sanitizer.DEFAULT_CAPACITY);
    }

    @Test
    void filtersAndThePageCursorCombine() throws Exception {
        storm(5);
        List<Integer> ids = JsonPath.read(getJson("/api/v1/violations").andReturn().getResponse().getContentAsString(), "$[*].id");

        getJson("/api/v1/violations?kind=timer_after_remove&after=" + ids.get(1) + "&limit=2")
                .andExpect(jsonPath("$[*].object").value(contains("timer 3", "timer 4")))
                .andExpect(header().string(ViolationController.TOTAL, "5"))
                .andExpect(header().string(ViolationController.DROPPED, "0"))
                .andExpect(header().string("Link", allOf(containsString("after=" + ids.get(3)),
                        containsString("kind=timer_after_remove"), containsString("limit=2"))));
        getJson("/api/v1/violations?after=" + ids.get(3)).andExpect(jsonPath("$[*].object").value(contains("timer 5")))
                .andExpect(header().doesNotExist("Link"));
        getJson("/api/v1/violations?kind=work_after_remove")
                .andExpect(jsonPath("$.length()").value(0)).andExpect(header().string(ViolationController.TOTAL, "0"));
    }

    @Test
    void pageParametersOutOfRangeAreEinval() throws Exception {
        expectProblem(callRejected(get("/api/v1/violations?limit=0")), 400, "EINVAL");
        expectProblem(callRejected(get("/api/v1/violations?limit=1001")), 400, "EINVAL");
        expectProblem(callRejected(get("/api/v1/violations?after=-1")), 400, "EINVAL");
    }

    @Test
    void aKindIsReadAsEveryWordOfTheApi() throws Exception {
        storm(1);

        for (String spelling : List.of("timer_after_remove", "timer-after-remove", "Timer-After-Remove")) {
            getJson("/api/v1/violations?kind=" + spelling).andExpect(jsonPath("$[0].kind").value("timer_after_remove"));
        }
        expectProblem(callRejected(get("/api/v1/violations?kind=timer-after-unload")), 400, "EINVAL");
        callRejected(get("/api/v1/violations?kind=nonsense"))
                .andExpect(jsonPath("$.detail").value(containsString("timer_after_remove")));
    }

    private static double counter(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(series.length() + 1))).findFirst().orElseThrow();
    }
}
