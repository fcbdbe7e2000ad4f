package dev.novahost.kernel.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.TaskEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Tasks as stories: one blocks and shows on what, one fails, too many are refused, old ones are forgotten. */
class TasksTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final EventLog log = new EventLog(Clock.system(), 64);
    private final Tasks tasks = new Tasks(new TaskLimits(4, 2), log);

    @Test
    void aTaskBlockedOnAKnownWaitIsInDAndSaysOnWhatThenRunsOnAndEnds() throws Exception {
        var inside = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var task = tasks.start("unbind 0000:01:00.0", () -> {
            try (var outer = TaskWait.on("disassociate", "file 4")) {
                try (var wait = TaskWait.on("hrtimer_cancel", "timer 3")) {
                    inside.countDown();
                    waitFor(release);
                }
                assertThat(tasks.all().getFirst().status().blockedOn()).as("back to the outer wait")
                        .contains("disassociate(file 4)");
            }
        });
        waitFor(inside);

        assertThat(task.status().state()).isEqualTo(TaskState.D);
        assertThat(task.status().blockedOn()).contains("hrtimer_cancel(timer 3)");
        assertThat(task.awaitDone(Duration.ofMillis(20))).isFalse();
        assertThat(task.result()).isEmpty();

        release.countDown();
        assertThat(task.awaitDone(PATIENCE)).isTrue();
        assertThat(task.status().state()).isEqualTo(TaskState.DONE);
        assertThat(task.status().blockedOn()).isEmpty();
        assertThat(task.result()).hasValueSatisfying(result -> assertThat(result.succeeded()).isTrue());
    }

    @Test
    void outsideATaskAWaitCostsNothingAndChangesNothing() {
        assertThat(TaskWait.on("hrtimer_cancel", "timer 3")).isSameAs(TaskWait.on("cancel_work_sync", "work 2"));
    }

    @Test
    void aFailedOperationKeepsItsErrnoAndItsExceptionForTheCallerWhoWaited() {
        var refused = KernelException.of(Errno.EBUSY, "0000:01:00.0 is busy");
        var task = tasks.start("unbind 0000:01:00.0", () -> {
            throw refused;
        });

        assertThat(task.awaitDone(PATIENCE)).isTrue();
        assertThat(task.detach()).as("ended first: its caller answers with the result").isFalse();
        assertThat(task.result().orElseThrow().errno()).contains(Errno.EBUSY);
        assertThat(task.result().orElseThrow().detail()).isEqualTo("0000:01:00.0 is busy");
        assertThatThrownBy(task::rethrowFailure).isSameAs(refused);
        assertThat(lines()).as("its caller was told; the log is as it was without tasks").isEmpty();
    }

    @Test
    void aTaskItsCallerStoppedWaitingForReportsItsEndInTheLog() {
        var release = new CountDownLatch(1);
        var task = tasks.start("rmmod nova-core", () -> waitFor(release));
        assertThat(task.awaitDone(Duration.ofMillis(20))).isFalse();
        assertThat(task.detach()).isTrue();

        release.countDown();
        await().atMost(PATIENCE).until(() -> !lines().isEmpty());
        assertThat(lines()).singleElement().isEqualTo(new TaskEvent.Done(task.id(), "rmmod nova-core",
                java.util.Optional.empty(), ""));
        assertThat(lines().getFirst().message()).isEqualTo("task " + task.id() + " (rmmod nova-core): done");
    }

    @Test
    void pastTheRunningLimitATaskIsRefusedWithEagainAndNothingStarts() {
        var release = new CountDownLatch(1);
        var first = tasks.start("unbind 0000:01:00.0", () -> waitFor(release));
        var second = tasks.start("unbind 0000:02:00.0", () -> waitFor(release));

        assertThatThrownBy(() -> tasks.start("unbind 0000:03:00.0", () -> { }))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
        assertThat(tasks.all()).containsExactly(first, second);

        release.countDown();
        assertThat(first.awaitDone(PATIENCE) && second.awaitDone(PATIENCE)).isTrue();
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(tasks.start("unbind 0000:03:00.0", () -> { }).awaitDone(PATIENCE)).isTrue());
    }

    @Test
    void theRegistryKeepsTheNewestAndForgetsTheOldestDoneOnes() {
        var release = new CountDownLatch(1);
        var stuck = tasks.start("unbind 0000:01:00.0", () -> waitFor(release));
        var quick = new ArrayList<Task>();
        for (int i = 0; i < 10; i++) {
            var task = tasks.start("unplug 0000:0" + i + ":00.0", () -> { });
            assertThat(task.awaitDone(PATIENCE)).isTrue();
            quick.add(task);
        }

        assertThat(tasks.all()).as("the running one is never forgotten; of the done ones the newest stay")
                .containsExactly(stuck, quick.get(7), quick.get(8), quick.get(9));
        assertThatThrownBy(() -> tasks.get(quick.getFirst().id()))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT));
        assertThat(tasks.get(stuck.id())).isSameAs(stuck);
        release.countDown();
    }

    private List<TaskEvent> lines() {
        return log.since(0, 64).stream().map(line -> line.event()).filter(TaskEvent.class::isInstance)
                .map(TaskEvent.class::cast).toList();
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
