package dev.novahost.kernel.timer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.novahost.kernel.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine on real time: dispatcher threads run each entry once, never before its deadline, survive
 * an entry that throws, and stop when the engine is closed.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TimerEngineRealTimeTest {

    private static final long MS = 1_000_000L;

    private final Clock clock = Clock.system();
    private final List<TimerEngine> engines = new ArrayList<>();

    @AfterEach
    void closeEngines() {
        engines.forEach(TimerEngine::close);
    }

    private TimerEngine engine(int threads) {
        var engine = TimerEngine.realTime(clock, threads);
        engines.add(engine);
        return engine;
    }

    private static TimerEngine.Entry entry(Runnable action) {
        return new TimerEngine.Entry() {
            @Override
            protected void expire() {
                action.run();
            }
        };
    }

    @Test
    void noEntryFiresBeforeItsDeadline() throws InterruptedException {
        var engine = engine(2);
        var random = new Random(3);
        int n = 300;
        var deadlines = new long[n];
        var firedAt = new AtomicLongArray(n);
        var allFired = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            deadlines[i] = clock.nanoTime() + random.nextInt(30) * MS / 2;
            engine.schedule(entry(() -> {
                firedAt.set(id, clock.nanoTime());
                allFired.countDown();
            }), deadlines[i]);
        }

        assertThat(allFired.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < n; i++) {
            assertThat(firedAt.get(i)).as("entry %d", i).isGreaterThanOrEqualTo(deadlines[i]);
        }
    }

    @Test
    void tenThousandEntriesAllFireExactlyOnce() throws InterruptedException {
        var engine = engine(2);
        int n = 10_000;
        var fired = new AtomicIntegerArray(n);
        var allFired = new CountDownLatch(n);
        long start = clock.nanoTime();
        for (int i = 0; i < n; i++) {
            int id = i;
            engine.schedule(entry(() -> {
                fired.incrementAndGet(id);
                allFired.countDown();
            }), start + (i % 97) * MS / 10);
        }

        assertThat(allFired.await(10, TimeUnit.SECONDS)).isTrue();
        // a last entry after every other deadline: once it ran, a double fire would have shown
        var sentinel = new CountDownLatch(1);
        engine.schedule(entry(sentinel::countDown), start + 100 * MS / 10);
        assertThat(sentinel.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < n; i++) {
            assertThat(fired.get(i)).as("entry %d", i).isOne();
        }
        assertThat(engine.queued()).isZero();
    }

    @Test
    void anEarlierEntryScheduledWhileTheDispatchersWaitForALaterOneRunsOnTime() throws InterruptedException {
        var engine = engine(2);
        var far = new CountDownLatch(1);
        var near = new CountDownLatch(1);
        engine.schedule(entry(far::countDown), clock.nanoTime() + 60_000 * MS);
        await().atMost(Duration.ofSeconds(2)).until(() -> engine.queued() == 1);

        engine.schedule(entry(near::countDown), clock.nanoTime() + MS);

        assertThat(near.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(far.getCount()).isOne();
    }

    @Test
    void entriesScheduledFromFourThreadsWhileTheLeaderWaitsForALaterOneAllFireOnceAndNotEarly() throws Exception {
        var engine = engine(2);
        engine.schedule(entry(() -> { }), clock.nanoTime() + 60_000 * MS); // the leader waits for this one
        await().atMost(Duration.ofSeconds(2)).until(() -> engine.queued() == 1);
        int threads = 4;
        int perThread = 2_000;
        int n = threads * perThread;
        var deadlines = new long[n];
        var fired = new AtomicIntegerArray(n);
        var firedAt = new AtomicLongArray(n);
        var allFired = new CountDownLatch(n);
        var together = new CyclicBarrier(threads);
        var pushers = new ArrayList<Thread>();
        for (int t = 0; t < threads; t++) {
            int first = t * perThread;
            var random = new Random(t);
            pushers.add(Thread.ofPlatform().start(() -> {
                awaitBarrier(together);
                for (int id = first; id < first + perThread; id++) {
                    int slot = id;
                    deadlines[slot] = clock.nanoTime() + random.nextInt(20 * 1000) * 1000L;
                    engine.schedule(entry(() -> {
                        firedAt.set(slot, clock.nanoTime());
                        fired.incrementAndGet(slot);
                        allFired.countDown();
                    }), deadlines[slot]);
                }
            }));
        }
        for (var pusher : pushers) {
            pusher.join();
        }

        assertThat(allFired.await(10, TimeUnit.SECONDS)).as("no wake-up lost").isTrue();
        var sentinel = new CountDownLatch(1);
        engine.schedule(entry(sentinel::countDown), clock.nanoTime() + MS);
        assertThat(sentinel.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < n; i++) {
            assertThat(fired.get(i)).as("runs of entry %d", i).isOne();
            assertThat(firedAt.get(i)).as("entry %d", i).isGreaterThanOrEqualTo(deadlines[i]);
        }
        assertThat(engine.queued()).isOne();
    }

    @Test
    void schedulesOfTheSameEntriesRacingFromTwoThreadsQueueEachOnceAndItRunsOnce() throws Exception {
        var now = new AtomicLong();
        var engine = TimerEngine.realTime(now::get, 2); // nothing falls due until the test moves the clock
        engines.add(engine);
        int n = 2_000;
        var runs = new AtomicIntegerArray(n);
        var entries = new ArrayList<TimerEngine.Entry>();
        for (int i = 0; i < n; i++) {
            int id = i;
            entries.add(entry(() -> runs.incrementAndGet(id)));
        }
        var together = new CyclicBarrier(2);
        var racers = new ArrayList<Thread>();
        for (int t = 0; t < 2; t++) {
            long deadline = 1_000 + t;
            racers.add(Thread.ofPlatform().start(() -> {
                awaitBarrier(together);
                for (long later = deadline; later <= deadline + 2; later++) {
                    for (var entry : entries) {
                        engine.schedule(entry, later);
                    }
                }
            }));
        }
        for (var racer : racers) {
            racer.join();
        }
        assertThat(engine.queued()).isEqualTo(n);
        assertThat(entries).allSatisfy(entry -> assertThat(entry.expires()).isBetween(1_002L, 1_003L));

        now.set(2_000);
        engine.schedule(entry(() -> { }), 0); // wakes a dispatcher to look at the clock again
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.queued() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> IntStream.range(0, n).allMatch(i -> runs.get(i) > 0));
        for (int i = 0; i < n; i++) {
            assertThat(runs.get(i)).as("runs of entry %d", i).isOne();
        }
    }

    private static void awaitBarrier(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aCancelledEntryNeverFires() throws InterruptedException {
        var engine = engine(2);
        var cancelledRan = new AtomicInteger();
        var cancelled = entry(cancelledRan::incrementAndGet);
        var later = new CountDownLatch(1);
        long now = clock.nanoTime();
        engine.schedule(cancelled, now + 20 * MS);
        engine.schedule(entry(later::countDown), now + 40 * MS);

        assertThat(engine.cancel(cancelled)).isTrue();

        assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(cancelledRan).hasValue(0);
    }

    @Test
    void entriesThatThrowDoNotStopTheOnlyDispatcher() throws InterruptedException {
        var engine = engine(1);
        long now = clock.nanoTime();
        engine.schedule(entry(() -> {
            throw new IllegalStateException("driver bug");
        }), now);
        engine.schedule(entry(() -> {
            throw new AssertionError("a failed check in driver code");
        }), now + 1);
        engine.schedule(entry(() -> {
            throw new StackOverflowError("runaway recursion in driver code");
        }), now + 2);
        var after = new CountDownLatch(1);
        engine.schedule(entry(after::countDown), now + 3);

        assertThat(after.await(5, TimeUnit.SECONDS)).as("the entry after the failures ran").isTrue();
    }

    @Test
    void closeStopsTheDispatcherThreads() throws Exception {
        var engine = engine(2);
        var dispatchers = new ArrayList<Thread>();
        var bothDispatchersBusy = new CyclicBarrier(2);
        var captured = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            engine.schedule(entry(() -> {
                synchronized (dispatchers) {
                    dispatchers.add(Thread.currentThread());
                }
                captured.countDown();
                try {
                    bothDispatchersBusy.await(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }), clock.nanoTime());
        }
        assertThat(captured.await(5, TimeUnit.SECONDS)).as("each dispatcher took one entry").isTrue();
        assertThat(dispatchers).doesNotHaveDuplicates().hasSize(2);

        engine.close();

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(dispatchers).noneMatch(Thread::isAlive));
    }
}
