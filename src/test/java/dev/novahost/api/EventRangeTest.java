package dev.novahost.api;

import dev.novahost.kernel.events.JournalEvent;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;

import dev.novahost.kernel.machine.Kernel;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Issue 13, item 5: {@code GET /events?since=9223372036854775807} used to overflow into "everything"
 * and return the whole log. A {@code since} outside 0..newest names no event: {@code EINVAL}, with the range.
 */
class EventRangeTest extends ApiTest {

    @Autowired
    Kernel kernel;

    @Test
    void aSinceBeyondTheNewestEventOrNegativeIsEinvalNamingTheRange() throws Exception {
        long newest = kernel.log().lastSeq();
        for (String since : new String[] {Long.toString(Long.MAX_VALUE), Long.toString(newest + 1_000_000), "-1"}) {
            expectProblem(callRejected(get("/api/v1/events?since=" + since)), 400, "EINVAL");
        }
        callRejected(get("/api/v1/events?since=" + Long.MAX_VALUE))
                .andExpect(jsonPath("$.detail").value(containsString("from 0 to ")));
    }

    @Test
    void aSinceAtTheNewestEventIsNothingYet() throws Exception {
        kernel.log().emit(new JournalEvent.Skipped("the newest line"));
        long newest = kernel.log().lastSeq();

        getJson("/api/v1/events?since=" + newest).andExpect(jsonPath("$.length()").value(0));
        getJson("/api/v1/events?since=" + (newest - 1)).andExpect(jsonPath("$[0].type").value("journal.skipped"));
    }
}
