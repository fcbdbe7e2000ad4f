package dev.novahost.kernel.hungtask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** khungtaskd's rules on virtual time: at the timeout, again each timeout, up to the warnings limit. */
class HungTaskDetectorTest {

    private static final long SECOND = 1_000_000_000L;

    private final VirtualClock clock = new VirtualClock();
    private final List<HungTaskDetector.Report> reports = new ArrayList<>();

    private HungTaskDetector detector(long timeoutSeconds, int warnings, boolean panic) {
        return new HungTaskDetector(clock, new HungTaskDetector.Settings(timeoutSeconds * SECOND, warnings, panic),
                reports::add);
    }

    @Test
    void aTaskBlockedForTheTimeoutIsReportedWithWhatItWaitsForAndItsHolderAndAgainEachTimeout() {
        var detector = detector(120, 10, false);
        var unbind = detector.block("unbind 0000:01:00.0", "hrtimer_cancel(timer 3)", () -> "timer 3 callback");

        clock.advanceTo(119 * SECOND);
        detector.check();
        assertThat(reports).isEmpty();

        clock.advanceTo(120 * SECOND);
        detector.check();
        assertThat(reports).singleElement().satisfies(report -> {
            assertThat(report.blockedNs()).isEqualTo(120 * SECOND);
            assertThat(report.lines()).containsExactly(
                    "INFO: task unbind 0000:01:00.0 blocked for more than 120 seconds.",
                    "task:unbind 0000:01:00.0 state:D, blocked for 120000 ms",
                    "waiting for hrtimer_cancel(timer 3), held by timer 3 callback");
        });

        clock.advanceTo(240 * SECOND);
        detector.check();
        assertThat(reports).hasSize(2);

        unbind.close();
        clock.advanceTo(360 * SECOND);
        detector.check();
        assertThat(reports).hasSize(2);
        assertThat(detector.blocked()).isEmpty();
    }

    @Test
    void afterTheWarningsLimitOneLineSaysTheRestAreSuppressedAndTheyAreStillCounted() {
        var detector = detector(10, 2, false);
        detector.block("a", "x", () -> null);
        for (int i = 1; i <= 5; i++) {
            clock.advanceTo(i * 10 * SECOND);
            detector.check();
        }
        assertThat(reports).hasSize(3);
        assertThat(reports.get(0).holder()).isEqualTo("unknown");
        assertThat(reports.get(2).lines()).containsExactly(
                "Future hung task reports are suppressed, see sysctl kernel.hung_task_warnings");
        assertThat(detector.reportedEver()).isEqualTo(5);
    }

    @Test
    void panicMarksTheHostUntilAResetAndZeroTurnsTheDetectorOff() {
        var panicking = detector(10, -1, true);
        panicking.block("a", "x", () -> "b");
        clock.advanceTo(10 * SECOND);
        panicking.check();
        assertThat(panicking.panicked()).isTrue();
        assertThat(reports.getFirst().lines()).last().asString().startsWith("Kernel panic");
        panicking.reset();
        assertThat(panicking.panicked()).isFalse();

        var off = detector(0, 10, true);
        off.block("a", "x", () -> "b");
        clock.advanceTo(1_000 * SECOND);
        off.check();
        assertThat(off.panicked()).isFalse();
        assertThat(reports).hasSize(1);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new HungTaskDetector.Settings(-1, 10, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HungTaskDetector.Settings(1, -2, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
