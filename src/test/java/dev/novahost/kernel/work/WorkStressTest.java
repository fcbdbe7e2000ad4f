package dev.novahost.kernel.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.timer.TimerEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several threads queue, delay, flush and cancel a few works at once, while the works re-queue
 * themselves at random. Throughout: a work never runs concurrently with itself, and once a cancelSync
 * has returned it does not run until somebody queues it again.
 */
class WorkStressTest {

    private static final int THREADS = 4;
    private static final int STEPS_PER_THREAD = 5_000;

    private final TimerEngine engine = TimerEngine.realTime(Clock.system(), 2);
    private final Workqueue queue = new Workqueue("stress", engine);
    private final ExecutorService threads = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stop() {
        threads.shutdownNow();
        engine.close();
    }

    /**
     * One work and what the test knows of it. Test threads queue it under the read lock; a cancel holds
     * the write lock, so between cancelSync returning and the lock's release nobody may queue it, and
     * any run there is a run after cancel.
     */
    private final class Tracked {
        final ReentrantReadWriteLock queueing = new ReentrantReadWriteLock();
        final AtomicInteger inFunction = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        final AtomicInteger runsAfterCancel = new AtomicInteger();
        final AtomicLong runs = new AtomicLong();
        final AtomicBoolean cancelled = new AtomicBoolean();
        final WorkItem item;

        Tracked(long seed) {
            var requeue = new Random(seed);
            item = new WorkItem(queue, w -> {
                if (inFunction.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                if (cancelled.get()) {
                    runsAfterCancel.incrementAndGet();
                }
                runs.incrementAndGet();
                boolean again;
                synchronized (requeue) {
                    again = requeue.nextInt(3) == 0;
                }
                if (cancelled.get()) {
                    runsAfterCancel.incrementAndGet(); // still running: cancelSync returned without waiting
                }
                inFunction.decrementAndGet();
                return again;
            }, w -> { });
        }

        void queue(Random random) {
            queueing.readLock().lock();
            try {
                if (random.nextInt(4) == 0) {
                    item.queueDelayed(random.nextInt(50_000));
                } else {
                    item.queue();
                }
            } finally {
                queueing.readLock().unlock();
            }
        }

        void cancelSync() {
            queueing.writeLock().lock();
            try {
                item.cancelSync();
                cancelled.set(true);
                assertThat(item.state()).isNotEqualTo(WorkItem.State.RUNNING);
                assertThat(item.isPending()).isFalse();
                assertThat(item.isDelayed()).isFalse();
                cancelled.set(false);
            } finally {
                queueing.writeLock().unlock();
            }
        }
    }

    @Test
    void queueCancelAndFlushFromManyThreadsNeverOverlapAWorkNorRunItAfterCancel() {
        var works = List.of(new Tracked(1), new Tracked(2), new Tracked(3));
        var start = new CyclicBarrier(THREADS);

        assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
            var done = new ArrayList<Future<?>>();
            for (int t = 0; t < THREADS; t++) {
                var random = new Random(100 + t);
                done.add(threads.submit(() -> {
                    start.await();
                    for (int step = 0; step < STEPS_PER_THREAD; step++) {
                        var work = works.get(random.nextInt(works.size()));
                        switch (random.nextInt(10)) {
                            case 0, 1, 2, 3, 4 -> work.queue(random);
                            case 5, 6 -> work.item.flush();
                            default -> work.cancelSync();
                        }
                    }
                    return null;
                }));
            }
            for (var thread : done) {
                thread.get();
            }

            // the last word is a cancel: from here on nothing may run
            for (var work : works) {
                work.queueing.writeLock().lock();
                work.item.cancelSync();
                work.cancelled.set(true);
            }
            long[] runsAtCancel = works.stream().mapToLong(w -> w.runs.get()).toArray();
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() ->
                    works.get(0).runs.get() == runsAtCancel[0]
                    && works.get(1).runs.get() == runsAtCancel[1]
                    && works.get(2).runs.get() == runsAtCancel[2]);
            queue.destroy();
        });

        assertThat(works).allSatisfy(work -> {
            assertThat(work.overlaps).as("concurrent runs of one work").hasValue(0);
            assertThat(work.runsAfterCancel).as("runs after cancelSync returned").hasValue(0);
            assertThat(work.runs.get()).as("it did run").isPositive();
        });
        assertThat(queue.isDead()).isTrue();
        assertThat(queue.pendingCount()).isZero();
    }
}
