package dev.novahost.kernel.hungtask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * khungtaskd's rules on virtual time, the detector scheduling itself on the timer engine: each task at
 * exactly its block time plus the timeout, again each timeout, up to the warnings limit.
 */
class HungTaskDetectorTest {

    private static final long SECOND = 1_000_000_000L;

    private final VirtualClock clock = new VirtualClock();
    private final TimerEngine engine = TimerEngine.virtual(clock);
    private final List<HungTaskDetector.Report> reports = new ArrayList<>();
    private final List<Long> reportedAt = new ArrayList<>();

    private HungTaskDetector detector(long timeoutSeconds, int warnings, boolean panic) {
        return new HungTaskDetector(engine, new HungTaskDetector.Settings(timeoutSeconds * SECOND, warnings, panic),
                report -> {
                    reports.add(report);
                    reportedAt.add(clock.nanoTime());
                });
    }

    @Test
    void aTaskBlockedForTheTimeoutIsReportedWithWhatItWaitsForAndItsHolderAndAgainEachTimeout() {
        var detector = detector(120, 10, false);
        var unbind = detector.block("unbind 0000:01:00.0", "hrtimer_cancel(timer 3)", () -> "timer 3 callback");

        engine.advanceTo(120 * SECOND - 1);
        assertThat(reports).isEmpty();
        assertThat(detector.hungNow()).isZero();

        engine.advanceTo(120 * SECOND);
        assertThat(reports).singleElement().satisfies(report -> {
            assertThat(report.blockedNs()).isEqualTo(120 * SECOND);
            assertThat(report.lines()).containsExactly(
                    "INFO: task unbind 0000:01:00.0 blocked for more than 120 seconds.",
                    "task:unbind 0000:01:00.0 state:D, blocked for 120000 ms",
                    "waiting for hrtimer_cancel(timer 3), held by timer 3 callback");
        });
        assertThat(detector.hungNow()).isOne();

        engine.advanceTo(1_000 * SECOND);
        assertThat(reportedAt).containsExactly(120 * SECOND, 240 * SECOND, 360 * SECOND, 480 * SECOND, 600 * SECOND,
                720 * SECOND, 840 * SECOND, 960 * SECOND);

        unbind.close();
        engine.advanceTo(10_000 * SECOND);
        assertThat(reports).hasSize(8);
        assertThat(detector.blocked()).isEmpty();
        assertThat(engine.queued()).as("nothing blocked, nothing queued").isZero();
    }

    @Test
    void eachTaskIsReportedAtItsOwnBlockTimePlusTheTimeout() {
        var detector = detector(10, -1, false);
        detector.block("a", "x", () -> "b");
        engine.advanceTo(3 * SECOND);
        detector.block("c", "y", () -> "d");
        engine.advanceTo(7 * SECOND);
        try (var e = detector.block("e", "z", () -> "f")) {
            engine.advanceTo(25 * SECOND);
        }
        engine.advanceTo(35 * SECOND);

        assertThat(reports).extracting(HungTaskDetector.Report::task)
                .containsExactly("a", "c", "e", "a", "c", "a", "c");
        assertThat(reportedAt).containsExactly(10 * SECOND, 13 * SECOND, 17 * SECOND, 20 * SECOND, 23 * SECOND,
                30 * SECOND, 33 * SECOND);
    }

    @Test
    void blockingTouchesTheEngineOnlyWhenNoCheckIsQueued() {
        var detector = detector(10, -1, false);
        var first = detector.block("a", "x", () -> "b");
        assertThat(engine.queued()).isOne();
        for (int i = 0; i < 100; i++) {
            detector.block("t" + i, "x", () -> "b").close();
        }
        assertThat(engine.queued()).isOne();
        first.close();
        assertThat(engine.queued()).as("the last wait ended: the check comes off").isZero();
        engine.advanceTo(10 * SECOND);
        assertThat(reports).isEmpty();
    }

    /**
     * Eight threads block and end short waits on real time while one task stays blocked, then again with
     * none: the stuck task is reported, no arming is lost to the races between a first block and a last
     * close, and once every wait ended the engine drains.
     */
    @Test
    void onRealTimeConcurrentShortWaitsNeitherLoseTheCheckNorLeaveItQueued() throws Exception {
        var realEngine = TimerEngine.realTime(dev.novahost.kernel.Clock.system(), 2);
        var seen = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var detector = new HungTaskDetector(realEngine, new HungTaskDetector.Settings(200_000_000L, -1, false),
                report -> seen.add(report.task()));
        try {
            for (boolean withAStuckTask : new boolean[] {true, false}) {
                var stuck = withAStuckTask ? detector.block("stuck", "x", () -> "y") : null;
                var threads = new ArrayList<Thread>();
                for (int t = 0; t < 8; t++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < 20_000; i++) {
                            detector.block("short", "x", () -> "y").close();
                        }
                    }));
                }
                for (var thread : threads) {
                    thread.join();
                }
                var last = detector.block("last", "x", () -> "y");
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                        .until(() -> seen.contains("last") && (stuck == null || seen.contains("stuck")));
                last.close();
                if (stuck != null) {
                    stuck.close();
                }
                // a check running as the last wait ends may queue itself once more, then takes itself off
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(1))
                        .until(() -> realEngine.queued() == 0);
                seen.clear();
            }
        } finally {
            realEngine.close();
        }
    }

    @Test
    void afterTheWarningsLimitOneLineSaysTheRestAreSuppressedAndTheyAreStillCounted() {
        var detector = detector(10, 2, false);
        detector.block("a", "x", () -> null);
        engine.advanceTo(50 * SECOND);
        assertThat(reports).hasSize(3);
        assertThat(reports.get(0).holder()).isEqualTo("unknown");
        assertThat(reports.get(2).suppressed()).isTrue();
        assertThat(reports.get(2).lines()).containsExactly(
                "Future hung task reports are suppressed, see sysctl kernel.hung_task_warnings");
        assertThat(detector.reportedEver()).isEqualTo(5);

        detector.reset();
        engine.advanceTo(60 * SECOND);
        assertThat(reports).hasSize(4);
        assertThat(reports.get(3).suppressed()).isFalse();
    }

    @Test
    void panicMarksTheHostAtTheFirstReportUntilAReset() {
        var detector = detector(10, -1, true);
        detector.block("a", "x", () -> "b");
        engine.advanceTo(20 * SECOND);
        assertThat(detector.panicked()).isTrue();
        assertThat(reports).extracting(HungTaskDetector.Report::panics).containsExactly(true, false);
        detector.reset();
        assertThat(detector.panicked()).isFalse();
        engine.advanceTo(30 * SECOND);
        assertThat(detector.panicked()).isTrue();
        assertThat(reports.getLast().panics()).isTrue();
    }

    @Test
    void zeroTurnsTheDetectorOffAndBlockingDoesNothing() {
        var off = detector(0, 10, true);
        off.block("a", "x", () -> "b");
        assertThat(engine.queued()).isZero();
        assertThat(off.blocked()).isEmpty();
        engine.advanceTo(1_000 * SECOND);
        assertThat(off.panicked()).isFalse();
        assertThat(reports).isEmpty();
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new HungTaskDetector.Settings(-1, 10, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HungTaskDetector.Settings(1, -2, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
