package dev.novahost.kernel.sanitizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.ManualClock;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.LogEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * printk_ratelimited's promise, kept by the sanitizer's log lines: 20 a second, then one line saying
 * how many were suppressed when the next second opens. The first window used to be computed as
 * {@code now - Long.MIN_VALUE}, which overflows: on a clock that starts at 0 no window ever opened
 * again, and after 20 lines the log never showed a violation again.
 */
class SanitizerRateLimitTest {

    private final ManualClock clock = new ManualClock(0);
    private final EventLog log = new EventLog(clock, 1000);
    private final Sanitizer sanitizer = new Sanitizer(clock, log);

    @Test
    void twentyLinesASecondThenTheSuppressedCountWhenTheNextSecondOpens() {
        reports(30);
        assertThat(lines("violation.timer_after_remove")).hasSize(20);

        clock.advance(1_000_000_000L);
        reports(1);

        assertThat(lines("violation.ratelimited")).singleElement()
                .satisfies(e -> assertThat(e.message()).isEqualTo("10 violation reports suppressed"));
        assertThat(lines("violation.timer_after_remove")).hasSize(21);
        assertThat(sanitizer.count(ViolationKind.TIMER_AFTER_REMOVE, Outcome.OCCURRED, Policy.FENCED)).isEqualTo(31);
    }

    private void reports(int n) {
        for (int i = 0; i < n; i++) {
            sanitizer.report(ViolationKind.TIMER_AFTER_REMOVE, Outcome.OCCURRED, Policy.FENCED, "0000:01:00.0",
                    "timer 1", 1, "timer 1: callback ran after remove()", List.of());
        }
    }

    private List<LogEntry> lines(String type) {
        return log.since(0, Integer.MAX_VALUE).stream().filter(e -> e.type().equals(type)).toList();
    }
}
