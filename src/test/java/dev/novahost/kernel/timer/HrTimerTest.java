package dev.novahost.kernel.timer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code struct hrtimer}: a oneshot expires once, a periodic timer re-arms for the deadline its callback
 * returns, and cancel is {@code hrtimer_cancel} + {@code timer_shutdown_sync}: it waits for a running
 * callback, and once it has returned the callback never runs again.
 */
class HrTimerTest {

    private static final Duration NO_DEADLOCK = Duration.ofSeconds(5);

    /** Stories on virtual time: one thread, every step visible. */
    @Nested
    class OnVirtualTime {

        private final VirtualClock clock = new VirtualClock();
        private final TimerEngine engine = TimerEngine.virtual(clock);
        /** The clock each callback saw. */
        private final List<Long> fired = new ArrayList<>();

        @AfterEach
        void closeEngine() {
            engine.close();
        }

        private HrTimer timer(HrTimer.Callback then) {
            return new HrTimer(engine, t -> {
                fired.add(clock.nanoTime());
                return then.run(t);
            });
        }

        private HrTimer oneshot() {
            return timer(t -> OptionalLong.empty());
        }

        /** Periodic every {@code period} ns for {@code runs} expirations, then stops. */
        private HrTimer periodic(long period, int runs) {
            return timer(t -> fired.size() < runs ? OptionalLong.of(clock.nanoTime() + period) : OptionalLong.empty());
        }

        @Test
        void aOneshotTimerFiresOnceAtItsDeadlineAndExpires() {
            var timer = oneshot();

            assertThat(timer.start(100)).isTrue();
            assertThat(timer.state()).isEqualTo(HrTimer.State.ARMED);
            assertThat(timer.isActive()).isTrue();
            assertThat(timer.deadline()).hasValue(100);

            engine.advanceTo(99);
            assertThat(fired).isEmpty();

            engine.advanceTo(100);
            assertThat(fired).containsExactly(100L);
            assertThat(timer.state()).isEqualTo(HrTimer.State.EXPIRED);
            assertThat(timer.isActive()).isFalse();
            assertThat(timer.deadline()).isEmpty();
            assertThat(timer.expirations()).isOne();

            engine.advanceTo(10_000);
            assertThat(fired).as("a oneshot does not come back").hasSize(1);
        }

        @Test
        void anExpiredTimerCanBeStartedAgain() {
            var timer = oneshot();
            timer.start(10);
            engine.advanceTo(10);

            assertThat(timer.start(50)).isTrue();
            engine.advanceTo(100);

            assertThat(fired).containsExactly(10L, 50L);
            assertThat(timer.expirations()).isEqualTo(2);
        }

        @Test
        void aPeriodicTimerReArmsForTheDeadlineItsCallbackReturns() {
            var timer = periodic(10, 5);
            timer.start(100);

            engine.advanceTo(1_000);

            assertThat(fired).containsExactly(100L, 110L, 120L, 130L, 140L);
            assertThat(timer.expirations()).isEqualTo(5);
            assertThat(timer.state()).isEqualTo(HrTimer.State.EXPIRED);
        }

        @Test
        void aPeriodicTimerBetweenTwoExpirationsIsArmedForTheNext() {
            var timer = periodic(10, 5);
            timer.start(100);

            engine.advanceTo(115);

            assertThat(fired).containsExactly(100L, 110L);
            assertThat(timer.state()).isEqualTo(HrTimer.State.ARMED);
            assertThat(timer.deadline()).hasValue(120);
        }

        @Test
        void startingAnArmedTimerMovesItsDeadline() {
            var timer = oneshot();
            timer.start(100);

            assertThat(timer.start(40)).isTrue();
            engine.advanceTo(1_000);

            assertThat(fired).containsExactly(40L);
        }

        @Test
        void startFromInsideTheCallbackReArmsIt() {
            var restarts = new AtomicInteger();
            var timer = timer(t -> {
                if (restarts.getAndIncrement() == 0) {
                    assertThat(t.start(clock.nanoTime() + 5)).isTrue();
                }
                return OptionalLong.empty();
            });
            timer.start(10);

            engine.advanceTo(100);

            assertThat(fired).containsExactly(10L, 15L);
            assertThat(timer.state()).isEqualTo(HrTimer.State.EXPIRED);
        }

        @Test
        void aTimerCancelledBeforeItFiresNeverFiresAndCannotBeStartedAgain() {
            var timer = periodic(10, 100);
            timer.start(100);

            assertThat(timer.cancel()).as("it was armed").isTrue();
            engine.advanceTo(1_000);

            assertThat(fired).isEmpty();
            assertThat(timer.state()).isEqualTo(HrTimer.State.CANCELLED);
            assertThat(timer.start(2_000)).as("shut down for good").isFalse();
            assertThat(timer.cancel()).as("nothing left to cancel").isFalse();
            assertThat(engine.queued()).isZero();
        }

        @Test
        void cancellingAnIdleTimerReportsItAndStillShutsItDown() {
            var timer = oneshot();

            assertThat(timer.cancel()).isFalse();

            assertThat(timer.state()).isEqualTo(HrTimer.State.CANCELLED);
            assertThat(timer.start(10)).isFalse();
        }

        @Test
        void cancelKeepingUsableStopsThePeriodicTimerAndALaterStartArmsItAgain() {
            var timer = periodic(10, 100);
            timer.start(100);
            engine.advanceTo(115);

            assertThat(timer.cancelKeepingUsable()).isTrue();
            engine.advanceTo(500);
            assertThat(fired).containsExactly(100L, 110L);
            assertThat(timer.state()).isEqualTo(HrTimer.State.INACTIVE);

            assertThat(timer.start(600)).isTrue();
            engine.advanceTo(625);
            assertThat(fired).containsExactly(100L, 110L, 600L, 610L, 620L);
        }

        @Test
        void aPeriodicCallbackThatCancelsItsOwnTimerDoesNotDeadlockAndIsNotReArmed() {
            var timer = timer(t -> {
                if (fired.size() == 3) {
                    assertThat(t.cancel()).isTrue();
                }
                return OptionalLong.of(clock.nanoTime() + 10);
            });
            timer.start(100);

            assertTimeoutPreemptively(NO_DEADLOCK, () -> engine.advanceTo(1_000));

            assertThat(fired).containsExactly(100L, 110L, 120L);
            assertThat(timer.state()).isEqualTo(HrTimer.State.CANCELLED);
            assertThat(timer.start(2_000)).isFalse();
            assertThat(engine.queued()).isZero();
        }

        @Test
        void aCallbackThatCancelsItsOwnTimerKeepingItUsableLetsItBeStartedLater() {
            var timer = timer(t -> {
                if (fired.size() == 1) {
                    assertThat(t.cancelKeepingUsable()).isTrue();
                }
                return OptionalLong.of(clock.nanoTime() + 10);
            });
            timer.start(100);

            assertTimeoutPreemptively(NO_DEADLOCK, () -> engine.advanceTo(500));
            assertThat(fired).containsExactly(100L);
            assertThat(timer.state()).isEqualTo(HrTimer.State.INACTIVE);

            assertThat(timer.start(600)).as("hrtimer_cancel alone leaves the timer usable").isTrue();
            engine.advanceTo(615);
            assertThat(fired).containsExactly(100L, 600L, 610L);
        }
    }

    /** Races on real time: two engine threads, short periods, many rounds. */
    @Nested
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    class OnRealTime {

        private static final long PERIOD_NS = 20_000;

        private final Clock clock = Clock.system();
        private final TimerEngine engine = TimerEngine.realTime(clock, 2);

        @AfterEach
        void closeEngine() {
            engine.close();
        }

        @Test
        void cancelWaitsForTheRunningCallbackToReturn() throws Exception {
            var entered = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var returned = new AtomicBoolean();
            var timer = new HrTimer(engine, t -> {
                entered.countDown();
                awaitLatch(release);
                returned.set(true);
                return OptionalLong.of(clock.nanoTime() + PERIOD_NS);
            });
            timer.start(clock.nanoTime());
            awaitLatch(entered);
            assertThat(timer.state()).isEqualTo(HrTimer.State.RUNNING);

            var cancel = CompletableFuture.supplyAsync(() -> {
                boolean wasActive = timer.cancel();
                assertThat(returned).as("the callback had returned when cancel returned").isTrue();
                return wasActive;
            });
            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !cancel.isDone());
            assertThat(timer.start(clock.nanoTime())).as("no start while a cancel is in progress").isFalse();

            release.countDown();

            assertThat(cancel.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(timer.state()).isEqualTo(HrTimer.State.CANCELLED);
            assertThat(timer.expirations()).as("the periodic re-arm lost to the cancel").isOne();
        }

        @Test
        void startFromAnotherThreadWhileTheCallbackRunsRunsItOnceMoreAfterIt() {
            var entered = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var runs = new AtomicInteger();
            var inCallback = new AtomicInteger();
            var overlaps = new AtomicInteger();
            var timer = new HrTimer(engine, t -> {
                if (inCallback.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                if (runs.incrementAndGet() == 1) {
                    entered.countDown();
                    awaitLatch(release);
                }
                inCallback.decrementAndGet();
                return OptionalLong.empty();
            });
            timer.start(clock.nanoTime());
            awaitLatch(entered);

            assertThat(timer.start(clock.nanoTime())).isTrue();
            // the second engine thread takes the re-armed entry while the first run still holds the timer
            await().atMost(NO_DEADLOCK).until(() -> engine.queued() == 0);
            release.countDown();

            await().atMost(NO_DEADLOCK).until(() -> timer.state() == HrTimer.State.EXPIRED && runs.get() == 2);
            assertThat(overlaps).as("the callback never ran concurrently with itself").hasValue(0);
            assertThat(timer.expirations()).isEqualTo(2);
        }

        /**
         * Cancel races the engine taking the entry, the callback, and the callback's periodic re-arm. After
         * each cancel() returns the callback must never run again and start() must be refused.
         */
        @Test
        void afterCancelReturnsAPeriodicTimerNeverFiresAgain() throws Exception {
            int rounds = 500;
            var timers = new ArrayList<RacingTimer>();
            for (int round = 0; round < rounds; round++) {
                var racing = new RacingTimer(engine, clock, round % 4);
                timers.add(racing);
                racing.timer.start(clock.nanoTime());
                racing.awaitExpirations();

                assertThat(racing.timer.cancel()).as("round %d: cancel ran into an armed or running timer", round).isTrue();
                racing.cancelReturned();

                assertThat(racing.timer.state()).isEqualTo(HrTimer.State.CANCELLED);
                assertThat(racing.timer.isActive()).isFalse();
                assertThat(racing.timer.start(clock.nanoTime())).isFalse();
            }

            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> timers.stream().allMatch(RacingTimer::quietSinceCancel));
            assertThat(timers).allSatisfy(racing -> {
                assertThat(racing.lateRuns).as("runs after cancel returned").hasValue(0);
                assertThat(racing.overlaps).as("concurrent runs").hasValue(0);
            });
        }

        @Test
        void afterCancelKeepingUsableReturnsNothingRunsUntilTheNextStart() {
            var racing = new RacingTimer(engine, clock, 2);
            for (int round = 0; round < 300; round++) {
                if (round > 0) {
                    assertThat(racing.quietSinceCancel()).as("round %d: quiet until restarted", round).isTrue();
                    racing.restarting();
                }
                assertThat(racing.timer.start(clock.nanoTime())).isTrue();
                racing.awaitExpirations();

                racing.timer.cancelKeepingUsable();
                racing.cancelReturned();

                assertThat(racing.timer.state()).isEqualTo(HrTimer.State.INACTIVE);
            }

            await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(racing::quietSinceCancel);
            assertThat(racing.lateRuns).as("runs after cancel returned").hasValue(0);
            assertThat(racing.overlaps).hasValue(0);
        }

        @Test
        void aStartRacingACancelKeepingUsableWaitsForItAndThenArms() throws Exception {
            var entered = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var timer = new HrTimer(engine, t -> {
                entered.countDown();
                awaitLatch(release);
                return OptionalLong.of(clock.nanoTime() + PERIOD_NS);
            });
            timer.start(clock.nanoTime());
            awaitLatch(entered);
            var cancel = new FutureTask<>(timer::cancelKeepingUsable);
            // while the callback is held nobody keeps the timer's lock: the canceller waits on its condition
            awaitParked(Thread.ofPlatform().daemon().start(cancel));

            var start = new FutureTask<>(() -> timer.start(clock.nanoTime() + Duration.ofHours(1).toNanos()));
            var starter = Thread.ofPlatform().daemon().start(start);
            await().atMost(NO_DEADLOCK).until(() -> start.isDone() || starter.getState() == Thread.State.WAITING);
            assertThat(start.isDone()).as("start waits while the cancel waits for the callback").isFalse();
            release.countDown();

            assertThat(cancel.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(start.get(5, TimeUnit.SECONDS)).as("armed after the cancel, not refused").isTrue();
            assertThat(timer.state()).isEqualTo(HrTimer.State.ARMED);
            assertThat(timer.expirations()).as("the periodic re-arm lost to the cancel").isOne();
            timer.cancel();
        }

        @Test
        void aStartFromTheCallbackWhileACancelWaitsForItIsRefusedWithoutDeadlock() throws Exception {
            var entered = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var startedFromCallback = new CompletableFuture<Boolean>();
            var timer = new HrTimer(engine, t -> {
                entered.countDown();
                awaitLatch(release);
                startedFromCallback.complete(t.start(clock.nanoTime()));
                return OptionalLong.empty();
            });
            timer.start(clock.nanoTime());
            awaitLatch(entered);
            var cancel = new FutureTask<>(timer::cancelKeepingUsable);
            awaitParked(Thread.ofPlatform().daemon().start(cancel));

            release.countDown();

            assertThat(startedFromCallback.get(5, TimeUnit.SECONDS)).as("the run the cancel stopped").isFalse();
            assertThat(cancel.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(timer.state()).isEqualTo(HrTimer.State.INACTIVE);
            assertThat(timer.expirations()).isOne();
        }

        @Test
        void aPeriodicCallbackCancellingItsOwnTimerOnRealTimeDoesNotDeadlock() {
            var runs = new AtomicInteger();
            var timer = new HrTimer(engine, t -> {
                if (runs.incrementAndGet() == 5) {
                    t.cancel();
                }
                return OptionalLong.of(clock.nanoTime() + PERIOD_NS);
            });
            timer.start(clock.nanoTime());

            await().atMost(NO_DEADLOCK).until(() -> timer.state() == HrTimer.State.CANCELLED);
            assertThat(timer.cancel()).isFalse();
            assertThat(runs).hasValue(5);
        }
    }

    /**
     * Races with an engine thread that is about to take the timer off the queue, held there on purpose. A
     * dispatcher reads the clock under the engine's lock just before it takes a due entry, so a
     * {@link HoldingClock} that holds that read keeps the entry queued and the engine's lock taken; whoever
     * then needs the lock (a start(), or a callback's finish) waits. Releasing the read lets the dispatcher
     * take the entry, and decide whether it runs, before the waiting step gets the lock.
     */
    @Nested
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    class WhileAnEngineThreadIsAboutToTakeTheTimer {

        /** Beyond any wait of the test: the engine waits for it until signalled. */
        private static final long LATER = Long.MAX_VALUE / 2;

        private final HoldingClock clock = new HoldingClock();
        private final TimerEngine engine = TimerEngine.realTime(clock, 2);

        @AfterEach
        void closeEngine() {
            clock.releaseAll();
            engine.close();
        }

        @Test
        void aStartWhileTheCallbackRunsIsNotLostWhenItsExpiryIsTakenBeforeTheCallbackFinishes() {
            var entered = new CountDownLatch(1);
            var release = new CountDownLatch(1);
            var returning = new AtomicReference<Thread>();
            var runs = new AtomicInteger();
            var timer = new HrTimer(engine, t -> {
                if (runs.incrementAndGet() == 1) {
                    entered.countDown();
                    awaitLatch(release);
                    returning.set(Thread.currentThread());
                }
                return OptionalLong.empty();
            });
            timer.start(0);
            awaitLatch(entered);

            var taking = clock.holdNextRead();
            assertThat(timer.start(0)).as("started again while the callback runs").isTrue();
            taking.reader(); // held: the other engine thread, about to take the expiry of that start
            release.countDown();
            // the callback has returned, and finish() waits for the engine's lock
            await().atMost(NO_DEADLOCK).until(() -> returning.get() != null);
            awaitParked(returning.get());
            taking.release(); // the expiry is taken while the callback has yet to finish: that run is dropped

            await().atMost(NO_DEADLOCK).until(() -> runs.get() == 2 && timer.state() == HrTimer.State.EXPIRED);
            assertThat(timer.expirations()).isEqualTo(2);
            assertThat(engine.queued()).isZero();
        }

        @Test
        void anExpiryTakenBeforeAStartForLaterRunsAndTheStartStands() throws Exception {
            var runs = new AtomicInteger();
            var timer = new HrTimer(engine, t -> {
                runs.incrementAndGet();
                return OptionalLong.empty();
            });
            var taking = clock.holdNextRead();
            timer.start(0);
            taking.reader(); // holds the engine's lock, the expiry for 0 due
            var restart = new FutureTask<>(() -> timer.start(LATER));
            // waits for the engine's lock, which guards the timer too
            awaitParked(Thread.ofPlatform().daemon().start(restart));

            taking.release(); // the expiry for 0 is taken and marked running before the start gets the lock
            assertThat(restart.get(5, TimeUnit.SECONDS)).isTrue();
            await().atMost(NO_DEADLOCK).until(() -> timer.state() == HrTimer.State.ARMED);

            assertThat(runs).as("the expiry for 0, taken first").hasValue(1);
            assertThat(timer.expirations()).isOne();
            assertThat(timer.deadline()).hasValue(LATER);
            assertThat(timer.cancel()).isTrue();
            assertThat(runs).as("nothing ran for LATER").hasValue(1);
        }
    }

    /**
     * A periodic timer on a short period that counts its runs and notices a callback that starts, or is
     * still running, after a cancel returned.
     */
    private static final class RacingTimer {
        final HrTimer timer;
        final AtomicLong runs = new AtomicLong();
        final AtomicInteger lateRuns = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        private final AtomicInteger inCallback = new AtomicInteger();
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final int expirationsBeforeCancel;
        private volatile CountDownLatch expired;
        private volatile long runsAtCancel;

        RacingTimer(TimerEngine engine, Clock clock, int expirationsBeforeCancel) {
            this.expirationsBeforeCancel = expirationsBeforeCancel;
            this.expired = new CountDownLatch(expirationsBeforeCancel);
            this.timer = new HrTimer(engine, t -> {
                if (inCallback.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                if (cancelled.get()) {
                    lateRuns.incrementAndGet();
                }
                runs.incrementAndGet();
                expired.countDown();
                if (cancelled.get()) {
                    lateRuns.incrementAndGet(); // still running: cancel returned without waiting for it
                }
                inCallback.decrementAndGet();
                return OptionalLong.of(clock.nanoTime() + OnRealTime.PERIOD_NS);
            });
        }

        void awaitExpirations() {
            awaitLatch(expired);
        }

        void cancelReturned() {
            cancelled.set(true);
            runsAtCancel = runs.get();
        }

        void restarting() {
            expired = new CountDownLatch(expirationsBeforeCancel);
            cancelled.set(false);
        }

        boolean quietSinceCancel() {
            return runs.get() == runsAtCancel;
        }
    }

    /**
     * A clock stopped at 0 that can hold a read of it until released. Only the engine's dispatchers read
     * it (the tests arm timers for fixed deadlines), and they read it under the engine's lock.
     */
    private static final class HoldingClock implements Clock {
        private final AtomicReference<Hold> nextRead = new AtomicReference<>();
        private final List<Hold> holds = new CopyOnWriteArrayList<>();
        private final Map<Thread, Integer> reads = new ConcurrentHashMap<>();

        @Override
        public long nanoTime() {
            reads.merge(Thread.currentThread(), 1, Integer::sum);
            var hold = nextRead.getAndSet(null);
            if (hold != null) {
                hold.heldReader.complete(Thread.currentThread());
                awaitLatch(hold.released);
            }
            return 0;
        }

        /** Holds the next read, whoever makes it. */
        Hold holdNextRead() {
            var hold = new Hold(new CompletableFuture<>(), new CountDownLatch(1));
            holds.add(hold);
            nextRead.set(hold);
            return hold;
        }

        int reads(Thread thread) {
            return reads.getOrDefault(thread, 0);
        }

        void releaseAll() {
            nextRead.set(null);
            holds.forEach(Hold::release);
        }
    }

    private record Hold(CompletableFuture<Thread> heldReader, CountDownLatch released) {

        /** Waits for the read and returns the thread that made it, now held. */
        Thread reader() {
            return heldReader.orTimeout(NO_DEADLOCK.toMillis(), TimeUnit.MILLISECONDS).join();
        }

        void release() {
            released.countDown();
        }
    }

    /** Waits until {@code thread} is parked (on a lock, a condition or a latch). */
    private static void awaitParked(Thread thread) {
        await().atMost(NO_DEADLOCK).until(() -> thread.getState() == Thread.State.WAITING);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(NO_DEADLOCK.toMillis(), TimeUnit.MILLISECONDS)).as("latch reached").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
