package dev.novahost.kernel.machine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.hungtask.HungTaskDetector;
import dev.novahost.kernel.novacore.ObjectLimits;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.task.TaskLimits;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * khungtaskd in a kernel on virtual time: a task that says it blocks (as nova-core's waits do, through
 * {@code kernel.hungTasks().block}) is reported at exactly the virtual timeout, in the kernel's words, as
 * a {@code hung_task} violation naming the task, what it waits for and its holder; again each timeout;
 * then suppressed past the warnings limit; {@code hung_task_panic} marks the host until a reset.
 */
class HungTaskReportTest {

    private static final long SECOND = 1_000_000_000L;
    private static final String UNBIND = "unbind 0000:01:00.0";

    private final VirtualClock clock = new VirtualClock();
    private final TimerEngine engine = TimerEngine.virtual(clock);
    private Kernel kernel;

    private Kernel kernel(long timeoutSeconds, int warnings, boolean panic) {
        kernel = new Kernel(new KernelConfig(4, true, 1, 10_000, ObjectLimits.DEFAULTS, TaskLimits.DEFAULTS, true,
                new HungTaskDetector.Settings(timeoutSeconds * SECOND, warnings, panic)), engine);
        return kernel;
    }

    @AfterEach
    void close() {
        kernel.close();
    }

    private List<LogEntry> lines(String type) {
        return kernel.log().since(0, Integer.MAX_VALUE).stream().filter(line -> line.type().equals(type)).toList();
    }

    @Test
    void anUnbindBlockedOnATimerCallbackIsReportedAtExactlyTheTimeoutAndAgainEachTimeout() {
        kernel(120, 10, false);
        engine.advanceTo(5 * SECOND);
        var unbind = kernel.hungTasks().block(UNBIND, "hrtimer_cancel(timer 3)", () -> "timer 3 callback");

        engine.advanceTo(125 * SECOND - 1);
        assertThat(lines("khungtaskd.report")).isEmpty();
        assertThat(kernel.sanitizer().violations()).isEmpty();

        engine.advanceTo(125 * SECOND);
        assertThat(lines("khungtaskd.report")).singleElement().satisfies(line -> {
            assertThat(line.clockNs()).isEqualTo(125 * SECOND);
            assertThat(line.object()).isEqualTo(UNBIND);
            assertThat(line.message()).isEqualTo("""
                    INFO: task unbind 0000:01:00.0 blocked for more than 120 seconds.
                    task:unbind 0000:01:00.0 state:D, blocked for 120000 ms
                    waiting for hrtimer_cancel(timer 3), held by timer 3 callback""");
        });
        assertThat(kernel.sanitizer().violations()).singleElement().satisfies(violation -> {
            assertThat(violation.kind()).isEqualTo(ViolationKind.HUNG_TASK);
            assertThat(violation.outcome()).isEqualTo(Outcome.OCCURRED);
            assertThat(violation.device()).isEmpty();
            assertThat(violation.object()).isEqualTo(UNBIND);
            assertThat(violation.message()).isEqualTo("INFO: task unbind 0000:01:00.0 blocked for more than 120"
                    + " seconds. Waiting for hrtimer_cancel(timer 3), held by timer 3 callback.");
            assertThat(violation.timeline()).singleElement().satisfies(line ->
                    assertThat(line.type()).isEqualTo("khungtaskd.report"));
        });
        assertThat(kernel.sanitizer().taints()).as("a hung task does not taint").isEmpty();

        engine.advanceTo(365 * SECOND);
        assertThat(lines("khungtaskd.report")).extracting(LogEntry::clockNs)
                .containsExactly(125 * SECOND, 245 * SECOND, 365 * SECOND);
        assertThat(kernel.sanitizer().violations()).singleElement().satisfies(violation ->
                assertThat(violation.count()).isEqualTo(3));

        unbind.close();
        engine.advanceTo(10_000 * SECOND);
        assertThat(lines("khungtaskd.report")).hasSize(3);
    }

    @Test
    void pastTheWarningsLimitOneLineSaysTheRestAreSuppressed() {
        kernel(10, 2, false);
        kernel.hungTasks().block("rmmod nova-core", "module references", () -> "fd 3");
        engine.advanceTo(100 * SECOND);

        assertThat(lines("khungtaskd.report")).hasSize(2);
        assertThat(lines("khungtaskd.suppressed")).singleElement().satisfies(line ->
                assertThat(line.message()).isEqualTo(
                        "Future hung task reports are suppressed, see sysctl kernel.hung_task_warnings"));
        assertThat(kernel.hungTasks().reportedEver()).isEqualTo(10);
        assertThat(kernel.sanitizer().count(ViolationKind.HUNG_TASK, Outcome.OCCURRED,
                kernel.driverCore().policy("nova-core"))).isEqualTo(2);
    }

    @Test
    void panicMarksTheHostUntilAResetAndTheLogSaysBoth() {
        kernel(10, -1, true);
        var blocked = kernel.hungTasks().block(UNBIND, "free_irq(irq 7)", () -> "nova irq handler");
        engine.advanceTo(10 * SECOND);

        assertThat(kernel.hungTasks().panicked()).isTrue();
        assertThat(lines("khungtaskd.panic")).singleElement().satisfies(line -> assertThat(line.message())
                .startsWith("Kernel panic - not syncing: hung_task: blocked tasks (" + UNBIND + ")"));

        blocked.close();
        kernel.reset();
        assertThat(kernel.hungTasks().panicked()).isFalse();
        assertThat(lines("khungtaskd.panic_cleared")).hasSize(1);
        kernel.reset();
        assertThat(lines("khungtaskd.panic_cleared")).as("said once, when there was a mark").hasSize(1);
    }

    @Test
    void aTimeoutOfZeroTurnsTheDetectorOff() {
        kernel(0, 10, true);
        int queuedBefore = engine.queued();
        kernel.hungTasks().block(UNBIND, "hrtimer_cancel(timer 3)", () -> "timer 3 callback");
        assertThat(engine.queued()).isEqualTo(queuedBefore);
        engine.advanceTo(100_000 * SECOND);
        assertThat(lines("khungtaskd.report")).isEmpty();
        assertThat(kernel.hungTasks().panicked()).isFalse();
        assertThat(kernel.sanitizer().violations()).isEmpty();
    }
}
