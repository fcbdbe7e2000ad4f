package dev.novahost.kernel.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.timer.TimerEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code struct work_struct}: pending at most once, never running concurrently with itself, re-queueing
 * itself when its function asks, and {@code cancel_work_sync} / {@code disable_work_sync} /
 * {@code flush_work} keeping their promises.
 */
class WorkItemTest {

    private static final Duration NO_DEADLOCK = Duration.ofSeconds(5);

    /** Stories on virtual time: the work runs only inside advanceTo, on the test's thread. */
    @Nested
    class OnVirtualTime {

        private final VirtualClock clock = new VirtualClock();
        private final TimerEngine engine = TimerEngine.virtual(clock);
        private final Workqueue system = new Workqueue("events", engine);
        /** The clock each run of the work function saw. */
        private final List<Long> ran = new ArrayList<>();
        private final List<WorkItem> deadQueue = new ArrayList<>();

        @AfterEach
        void closeEngine() {
            engine.close();
        }

        /** A work whose function records its run and re-queues itself {@code requeues} times. */
        private WorkItem work(int requeues) {
            return new WorkItem(system, w -> {
                ran.add(clock.nanoTime());
                return ran.size() <= requeues;
            }, deadQueue::add);
        }

        @Test
        void queueingAPendingWorkReturnsAlreadyPending() {
            var work = work(0);

            assertThat(work.queue()).isEqualTo(WorkItem.QueueResult.QUEUED);
            assertThat(work.isPending()).isTrue();
            assertThat(work.state()).isEqualTo(WorkItem.State.PENDING);
            assertThat(work.queue()).isEqualTo(WorkItem.QueueResult.ALREADY_PENDING);
            assertThat(work.queue()).isEqualTo(WorkItem.QueueResult.ALREADY_PENDING);

            engine.advanceTo(0);

            assertThat(ran).as("pending once, so it runs once").hasSize(1);
            assertThat(work.executions()).isOne();
            assertThat(work.state()).isEqualTo(WorkItem.State.IDLE);
            assertThat(work.queue()).as("idle again, so it can be queued").isEqualTo(WorkItem.QueueResult.QUEUED);
        }

        @Test
        void aWorkThatReQueuesItselfNTimesRunsNPlusOneTimes() {
            var work = work(4);

            work.queue();
            engine.advanceTo(0);

            assertThat(ran).hasSize(5);
            assertThat(work.executions()).isEqualTo(5);
            assertThat(work.state()).isEqualTo(WorkItem.State.IDLE);
            assertThat(system.pendingCount()).isZero();
        }

        @Test
        void delayedWorkRunsOnceItsDelayHasPassed() {
            var work = work(0);
            engine.advanceTo(1_000);

            assertThat(work.queueDelayed(100)).isTrue();
            assertThat(work.isDelayed()).isTrue();
            assertThat(work.queueDelayed(5)).as("already delayed").isFalse();

            engine.advanceTo(1_099);
            assertThat(ran).isEmpty();

            engine.advanceTo(1_100);
            assertThat(ran).containsExactly(1_100L);
            assertThat(work.isDelayed()).isFalse();
            assertThat(work.state()).isEqualTo(WorkItem.State.IDLE);
        }

        @Test
        void cancelSyncOfPendingWorkKeepsItFromRunningAndItCanBeQueuedAgain() {
            var work = work(0);
            work.queue();

            assertThat(work.cancelSync()).isTrue();
            engine.advanceTo(100);
            assertThat(ran).isEmpty();
            assertThat(work.isPending()).isFalse();
            assertThat(system.pendingCount()).isZero();

            assertThat(work.queue()).isEqualTo(WorkItem.QueueResult.QUEUED);
            engine.advanceTo(200);
            assertThat(ran).as("queued at 100, it runs at 100").containsExactly(100L);
        }

        @Test
        void cancelSyncOfDelayedWorkStopsItsTimer() {
            var work = work(0);
            work.queueDelayed(100);

            assertThat(work.cancelSync()).isTrue();
            assertThat(work.isDelayed()).isFalse();
            engine.advanceTo(500);
            assertThat(ran).isEmpty();

            assertThat(work.queueDelayed(50)).as("cancel_delayed_work_sync leaves it usable").isTrue();
            engine.advanceTo(1_000);
            assertThat(ran).containsExactly(550L);
        }

        @Test
        void cancelSyncOfIdleWorkReportsNothingWasActive() {
            assertThat(work(0).cancelSync()).isFalse();
        }

        @Test
        void disabledWorkIsRefusedForever() {
            var work = work(0);
            work.queue();

            assertThat(work.disableSync()).isTrue();
            engine.advanceTo(100);

            assertThat(ran).isEmpty();
            assertThat(work.state()).isEqualTo(WorkItem.State.CANCELLED);
            assertThat(work.queue()).isEqualTo(WorkItem.QueueResult.CANCELLED);
            assertThat(work.queue()).isEqualTo(WorkItem.QueueResult.CANCELLED);
            assertThat(work.queueDelayed(10)).isFalse();
            assertThat(work.cancelSync()).isFalse();
            assertThat(work.disableSync()).isFalse();
            assertTimeoutPreemptively(NO_DEADLOCK, work::flush);
            engine.advanceTo(1_000);
            assertThat(ran).isEmpty();
        }

        @Test
        void flushOfIdleWorkReturnsAtOnce() {
            var work = work(0);
            assertTimeoutPreemptively(NO_DEADLOCK, work::flush);

            work.queue();
            engine.advanceTo(0);
            assertTimeoutPreemptively(NO_DEADLOCK, work::flush);
        }

        /**
         * A queueing cancelled before it ran is not waited for: flush after it waits for the next queueing
         * only, not for one made while the flush waits.
         */
        @Test
        void flushAfterACancelledQueueingDoesNotWaitForLaterQueueings() throws Exception {
            var secondRunEntered = new CountDownLatch(1);
            var releaseSecondRun = new CountDownLatch(1);
            var flusher = new WatchedThread();
            var runs = new AtomicInteger();
            var work = new WorkItem(system, w -> {
                if (runs.incrementAndGet() == 1) {
                    assertThat(w.queue()).as("queued while running, after the flush call").isEqualTo(WorkItem.QueueResult.QUEUED);
                } else {
                    secondRunEntered.countDown();
                    awaitLatch(releaseSecondRun);
                }
                return false;
            }, deadQueue::add);
            work.queue();
            work.cancelSync();
            work.queue();

            flusher.start(work::flush);
            await().atMost(NO_DEADLOCK).until(() -> flusher.thread.getState() == Thread.State.WAITING);
            var runner = CompletableFuture.runAsync(() -> engine.advanceTo(0));
            awaitLatch(secondRunEntered);

            await().atMost(NO_DEADLOCK).alias("flush returned once the queueing made before it ran")
                    .until(() -> flusher.thread.getState() == Thread.State.TERMINATED);
            releaseSecondRun.countDown();
            runner.get(5, TimeUnit.SECONDS);
            assertThat(work.executions()).isEqualTo(2);
        }
    }

    /** On real time: two engine threads, so overlap and waiting are real. */
    @Nested
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    class OnRealTime {

        private final Clock clock = Clock.system();
        private final TimerEngine engine = TimerEngine.realTime(clock, 2);
        private final Workqueue system = new Workqueue("events", engine);
        private final AtomicInteger inFunction = new AtomicInteger();
        private final AtomicInteger overlaps = new AtomicInteger();

        @AfterEach
        void closeEngine() {
            engine.close();
        }

        /** A work function that notices if it ever runs concurrently with itself. */
        private WorkItem work(WorkItem.Function body) {
            return new WorkItem(system, w -> {
                if (inFunction.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                try {
                    return body.run(w);
                } finally {
                    inFunction.decrementAndGet();
                }
            }, w -> { });
        }

        @Test
        void queueingWhileRunningRunsItExactlyOnceMoreAfterwardsNeverAlongside() {
            var entered = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var runs = new AtomicInteger();
            var work = work(w -> {
                if (runs.incrementAndGet() == 1) {
                    entered.countDown();
                    awaitLatch(release);
                }
                return false;
            });
            work.queue();
            awaitLatch(entered);

            assertThat(work.state()).isEqualTo(WorkItem.State.RUNNING);
            assertThat(work.queue()).as("queued again while running").isEqualTo(WorkItem.QueueResult.QUEUED);
            assertThat(work.isPending()).isTrue();
            assertThat(work.queue()).isEqualTo(WorkItem.QueueResult.ALREADY_PENDING);
            assertThat(work.queue()).isEqualTo(WorkItem.QueueResult.ALREADY_PENDING);
            release.countDown();

            assertTimeoutPreemptively(NO_DEADLOCK, work::flush);
            assertThat(runs).hasValue(2);
            assertThat(work.executions()).isEqualTo(2);
            assertThat(work.state()).isEqualTo(WorkItem.State.IDLE);
            assertThat(work.isPending()).isFalse();
            assertThat(overlaps).hasValue(0);
        }

        @Test
        void cancelSyncStopsSelfRequeueingWorkForGoodAndItCanBeQueuedAgain() {
            var keepRequeueing = new AtomicBoolean(true);
            var cancelReturned = new AtomicBoolean();
            var lateRuns = new AtomicInteger();
            var work = work(w -> {
                if (cancelReturned.get()) {
                    lateRuns.incrementAndGet();
                }
                return keepRequeueing.get();
            });
            work.queue();
            await().atMost(NO_DEADLOCK).until(() -> work.executions() >= 50);

            assertThat(work.cancelSync()).isTrue();
            cancelReturned.set(true);
            long runsAtCancel = work.executions();

            assertThat(work.state()).isEqualTo(WorkItem.State.IDLE);
            assertThat(work.isPending()).isFalse();
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                    .until(() -> work.executions() == runsAtCancel);
            assertThat(lateRuns).hasValue(0);

            keepRequeueing.set(false);
            cancelReturned.set(false);
            assertThat(work.queue()).isEqualTo(WorkItem.QueueResult.QUEUED);
            assertTimeoutPreemptively(NO_DEADLOCK, work::flush);
            assertThat(work.executions()).isEqualTo(runsAtCancel + 1);
            assertThat(overlaps).hasValue(0);
        }

        @Test
        void cancelSyncWaitsForTheRunningFunction() throws Exception {
            var entered = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var returned = new AtomicBoolean();
            var work = work(w -> {
                entered.countDown();
                awaitLatch(release);
                returned.set(true);
                return true;
            });
            work.queue();
            awaitLatch(entered);

            var cancel = CompletableFuture.supplyAsync(() -> {
                boolean wasActive = work.cancelSync();
                assertThat(returned).as("the function had returned when cancelSync returned").isTrue();
                return wasActive;
            });
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !cancel.isDone());
            assertThat(work.queue()).as("refused while the cancel is in progress").isEqualTo(WorkItem.QueueResult.CANCELLED);

            release.countDown();

            assertThat(cancel.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(work.state()).isEqualTo(WorkItem.State.IDLE);
            assertThat(work.executions()).as("its request to re-queue lost to the cancel").isOne();
        }

        @Test
        void flushWaitsForTheQueueingMadeBeforeItAndNotForALaterOne() throws Exception {
            var firstEntered = new CountDownLatch(1);
            var releaseFirst = new CountDownLatch(1);
            var secondEntered = new CountDownLatch(1);
            var releaseSecond = new CountDownLatch(1);
            var runs = new AtomicInteger();
            var work = work(w -> {
                if (runs.incrementAndGet() == 1) {
                    firstEntered.countDown();
                    awaitLatch(releaseFirst);
                } else {
                    secondEntered.countDown();
                    awaitLatch(releaseSecond);
                }
                return false;
            });
            work.queue();
            awaitLatch(firstEntered);
            var flusher = new WatchedThread();
            flusher.start(work::flush);
            await().atMost(NO_DEADLOCK).until(() -> flusher.thread.getState() == Thread.State.WAITING);

            assertThat(work.queue()).as("a queueing after the flush call").isEqualTo(WorkItem.QueueResult.QUEUED);
            await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(flusher.thread::isAlive);
            releaseFirst.countDown();
            awaitLatch(secondEntered);

            await().atMost(NO_DEADLOCK).alias("flush returned while the later run is still running")
                    .until(() -> !flusher.thread.isAlive());
            releaseSecond.countDown();
            assertTimeoutPreemptively(NO_DEADLOCK, work::flush);
            assertThat(work.executions()).isEqualTo(2);
        }

        @Test
        void delayedWorkDoesNotRunBeforeItsDelayHasPassed() {
            long delay = 20_000_000;
            var ranAt = new AtomicLong(-1);
            var work = work(w -> {
                ranAt.set(clock.nanoTime());
                return false;
            });
            long queuedAt = clock.nanoTime();

            assertThat(work.queueDelayed(delay)).isTrue();

            await().atMost(NO_DEADLOCK).until(() -> ranAt.get() >= 0);
            assertThat(ranAt.get()).isGreaterThanOrEqualTo(queuedAt + delay);
        }
    }

    /** A thread the test can watch block and finish. */
    static final class WatchedThread {
        volatile Thread thread;

        void start(Runnable body) {
            thread = Thread.ofPlatform().daemon().name("work-test-flusher").start(body);
        }
    }

    static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(NO_DEADLOCK.toMillis(), TimeUnit.MILLISECONDS)).as("latch reached").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
