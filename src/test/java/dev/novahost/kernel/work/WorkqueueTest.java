package dev.novahost.kernel.work;

import static dev.novahost.kernel.work.WorkItemTest.awaitLatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.timer.TimerEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code destroy_workqueue}: drains what is queued, chained re-queues included, then refuses all work;
 * delayed work whose timer has not fired is not waited for, and when that timer fires it finds a dead
 * queue ({@code work_after_remove}).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WorkqueueTest {

    private static final Duration NO_DEADLOCK = Duration.ofSeconds(5);

    private final List<TimerEngine> engines = new ArrayList<>();
    /** Work whose delay timer fired onto a destroyed queue. */
    private final ConcurrentLinkedQueue<WorkItem> queuedOntoDeadQueue = new ConcurrentLinkedQueue<>();

    @AfterEach
    void closeEngines() {
        engines.forEach(TimerEngine::close);
    }

    private TimerEngine realTime() {
        var engine = TimerEngine.realTime(Clock.system(), 2);
        engines.add(engine);
        return engine;
    }

    private WorkItem work(Workqueue queue, WorkItem.Function function) {
        return new WorkItem(queue, function, queuedOntoDeadQueue::add);
    }

    /** Re-queues itself {@code requeues} times, counting its runs. */
    private WorkItem selfRequeueing(Workqueue queue, int requeues, AtomicInteger runs) {
        return work(queue, w -> runs.incrementAndGet() <= requeues);
    }

    @Test
    void destroyRunsEveryQueuedWorkWithItsRequeuesBeforeReturning() {
        var queue = new Workqueue("nova-core", realTime());
        var runs = new ArrayList<AtomicInteger>();
        var works = new ArrayList<WorkItem>();
        for (int i = 0; i < 50; i++) {
            var count = new AtomicInteger();
            runs.add(count);
            works.add(selfRequeueing(queue, 3, count));
        }
        works.forEach(WorkItem::queue);

        assertTimeoutPreemptively(NO_DEADLOCK, queue::destroy);

        assertThat(runs).allSatisfy(count -> assertThat(count).hasValue(4));
        assertThat(queue.isDead()).isTrue();
        assertThat(queue.pendingCount()).isZero();
    }

    /**
     * The work running when destroy begins still counts: it re-queues itself K times and queues a second
     * work, which queues a third; all of that runs before destroy returns.
     */
    @Test
    void destroyDrainsChainedQueueingsStartedByTheWorkRunningWhenItBegan() throws Exception {
        var queue = new Workqueue("nova-core", realTime());
        int requeues = 5;
        var entered = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var firstRuns = new AtomicInteger();
        var secondRuns = new AtomicInteger();
        var thirdRuns = new AtomicInteger();
        var third = work(queue, w -> {
            thirdRuns.incrementAndGet();
            return false;
        });
        var second = work(queue, w -> {
            if (secondRuns.incrementAndGet() == 3) {
                assertThat(third.queue()).isEqualTo(WorkItem.QueueResult.QUEUED);
                return false;
            }
            return true;
        });
        var first = work(queue, w -> {
            if (firstRuns.incrementAndGet() == 1) {
                entered.countDown();
                awaitLatch(release);
                assertThat(second.queue()).isEqualTo(WorkItem.QueueResult.QUEUED);
            }
            return firstRuns.get() <= requeues;
        });
        first.queue();
        awaitLatch(entered);

        var runsWhenDestroyed = new AtomicReference<List<Integer>>();
        var destroyer = Thread.ofPlatform().daemon().name("destroy_workqueue").start(() -> {
            queue.destroy();
            runsWhenDestroyed.set(List.of(firstRuns.get(), secondRuns.get(), thirdRuns.get()));
        });
        await().atMost(NO_DEADLOCK).until(() -> destroyer.getState() == Thread.State.WAITING
                || destroyer.getState() == Thread.State.TERMINATED);
        release.countDown();
        destroyer.join(NO_DEADLOCK.toMillis());

        assertThat(destroyer.isAlive()).as("destroy returned").isFalse();
        assertThat(runsWhenDestroyed.get()).as("runs of first, second, third when destroy returned")
                .containsExactly(requeues + 1, 3, 1);
        assertThat(queue.isDead()).isTrue();
        assertThat(first.queue()).isEqualTo(WorkItem.QueueResult.QUEUE_DEAD);
        assertThat(third.queue()).isEqualTo(WorkItem.QueueResult.QUEUE_DEAD);
        assertThat(queuedOntoDeadQueue).isEmpty();
    }

    @Test
    void destroyOfAnIdleQueueReturnsAtOnceAndTheQueueRefusesWork() {
        var engine = TimerEngine.virtual(new VirtualClock());
        engines.add(engine);
        var queue = new Workqueue("nova-core", engine);
        var work = work(queue, w -> false);

        assertTimeoutPreemptively(NO_DEADLOCK, queue::destroy);

        assertThat(queue.isDead()).isTrue();
        assertThat(work.queue()).isEqualTo(WorkItem.QueueResult.QUEUE_DEAD);
        assertThat(work.state()).isEqualTo(WorkItem.State.IDLE);
    }

    @Test
    void delayedWorkIsNotWaitedForAndItsTimerFindsTheQueueDead() {
        var clock = new VirtualClock();
        var engine = TimerEngine.virtual(clock);
        engines.add(engine);
        var queue = new Workqueue("nova-core", engine);
        var runs = new AtomicInteger();
        var delayed = selfRequeueing(queue, 0, runs);
        delayed.queueDelayed(100);

        assertTimeoutPreemptively(NO_DEADLOCK, queue::destroy);
        assertThat(queue.isDead()).isTrue();
        assertThat(delayed.isDelayed()).as("its timer is still armed").isTrue();
        assertThat(queuedOntoDeadQueue).isEmpty();

        engine.advanceTo(100);

        assertThat(queuedOntoDeadQueue).containsExactly(delayed);
        assertThat(runs).hasValue(0);
        assertThat(delayed.isDelayed()).isFalse();
    }

    @Test
    void delayedWorkOnRealTimeIsNotWaitedForEither() {
        var engine = realTime();
        var queue = new Workqueue("nova-core", engine);
        var queuedWork = new AtomicInteger();
        var delayedWork = new AtomicInteger();
        var queued = selfRequeueing(queue, 2, queuedWork);
        var delayed = selfRequeueing(queue, 0, delayedWork);
        long delay = 300_000_000;
        long armedAt = engine.clock().nanoTime();
        delayed.queueDelayed(delay);
        queued.queue();

        assertTimeoutPreemptively(NO_DEADLOCK, queue::destroy);
        long destroyedAt = engine.clock().nanoTime();

        assertThat(queuedWork).as("queued work drained").hasValue(3);
        assertThat(destroyedAt).as("destroy did not wait for the delay").isLessThan(armedAt + delay);
        await().atMost(NO_DEADLOCK).until(() -> !queuedOntoDeadQueue.isEmpty());
        assertThat(queuedOntoDeadQueue).containsExactly(delayed);
        assertThat(delayedWork).hasValue(0);
    }
}
