package dev.novahost.kernel.timer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine on virtual time (DESIGN §9): nothing runs until the clock is advanced, then everything due
 * runs on the caller's thread by deadline, ties by the order it was scheduled in, each entry seeing the
 * clock at its own deadline.
 */
class TimerEngineVirtualTimeTest {

    private final VirtualClock clock = new VirtualClock();
    private final TimerEngine engine = TimerEngine.virtual(clock);
    /** What ran, as "name@clock". */
    private final List<String> ran = new ArrayList<>();

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    /** An entry that records its name and the clock it sees, then does {@code then}. */
    private TimerEngine.Entry entry(String name, Consumer<TimerEngine.Entry> then) {
        return new TimerEngine.Entry() {
            @Override
            protected void expire() {
                ran.add(name + "@" + clock.nanoTime());
                then.accept(this);
            }
        };
    }

    private TimerEngine.Entry entry(String name) {
        return entry(name, self -> { });
    }

    @Test
    void nothingRunsUntilTheClockIsAdvanced() {
        engine.schedule(entry("a"), 0);

        assertThat(engine.isVirtual()).isTrue();
        assertThat(engine.queued()).isOne();
        assertThat(ran).isEmpty();
    }

    @Test
    void advanceRunsDueEntriesByDeadlineThenScheduleOrderAtTheirOwnDeadline() {
        engine.schedule(entry("late"), 300);
        engine.schedule(entry("tie-first"), 100);
        engine.schedule(entry("early"), 50);
        engine.schedule(entry("tie-second"), 100);
        engine.schedule(entry("beyond"), 1_000);

        int count = engine.advanceTo(500);

        assertThat(ran).containsExactly("early@50", "tie-first@100", "tie-second@100", "late@300");
        assertThat(count).isEqualTo(4);
        assertThat(clock.nanoTime()).as("left at the target").isEqualTo(500);
        assertThat(engine.queued()).as("the entry beyond the target waits").isOne();
    }

    @Test
    void entriesScheduledOnTheWayRunIfDueByTheTarget() {
        var chainedBeyond = entry("chained-beyond");
        var chainedDue = entry("chained-due");
        var sameInstant = entry("same-instant");
        engine.schedule(entry("first", self -> {
            engine.schedule(chainedDue, clock.nanoTime() + 30);
            engine.schedule(chainedBeyond, clock.nanoTime() + 1_000);
            engine.schedule(sameInstant, clock.nanoTime());
        }), 10);
        engine.schedule(entry("second"), 20);

        assertThat(engine.advanceTo(100)).isEqualTo(4);

        assertThat(ran).containsExactly("first@10", "same-instant@10", "second@20", "chained-due@40");
        assertThat(engine.queued()).isOne();

        engine.advanceTo(1_010);
        assertThat(ran).last().isEqualTo("chained-beyond@1010");
    }

    @Test
    void anEntryDueInThePastRunsWithoutMovingTheClockBack() {
        clock.advanceTo(1_000);
        engine.schedule(entry("overdue"), 10);

        engine.advanceTo(1_000);

        assertThat(ran).containsExactly("overdue@1000");
    }

    @Test
    void advancingToAnEarlierTimeRunsNothingAndKeepsTheClock() {
        engine.advanceTo(500);
        engine.schedule(entry("a"), 600);

        assertThat(engine.advanceTo(100)).isZero();

        assertThat(clock.nanoTime()).isEqualTo(500);
        assertThat(ran).isEmpty();
    }

    @Test
    void aCancelledEntryDoesNotRunAndCancellingTwiceFindsNothing() {
        var cancelled = entry("cancelled");
        var never = entry("never-scheduled");
        engine.schedule(cancelled, 100);
        engine.schedule(entry("kept"), 100);

        assertThat(engine.cancel(cancelled)).isTrue();
        assertThat(engine.cancel(cancelled)).isFalse();
        assertThat(engine.cancel(never)).isFalse();
        engine.advanceTo(200);

        assertThat(ran).containsExactly("kept@100");
    }

    @Test
    void anEntryCancelledByAnEarlierEntryOnTheWayDoesNotRun() {
        var victim = entry("victim");
        engine.schedule(entry("canceller", self -> assertThat(engine.cancel(victim)).isTrue()), 10);
        engine.schedule(victim, 20);

        engine.advanceTo(100);

        assertThat(ran).containsExactly("canceller@10");
    }

    @Test
    void reschedulingMovesTheEntryAndItRunsOnce() {
        var moved = entry("moved");
        engine.schedule(moved, 10);
        engine.schedule(entry("other"), 20);
        engine.schedule(moved, 30);

        engine.advanceTo(100);

        assertThat(ran).containsExactly("other@20", "moved@30");
    }

    @Test
    void anEntryThatRefusesToBeginItsRunIsTakenOffTheQueueWithoutRunningAndRunsForItsNextSchedule() {
        var refusals = new ArrayList<Boolean>(List.of(true));
        var refusing = new TimerEngine.Entry() {
            @Override
            protected boolean beginRun() {
                return refusals.isEmpty() || !refusals.removeFirst();
            }

            @Override
            protected void expire() {
                ran.add("refusing@" + clock.nanoTime());
            }
        };
        engine.schedule(refusing, 10);
        engine.schedule(entry("other"), 20);

        assertThat(engine.advanceTo(30)).as("entries run").isOne();
        assertThat(ran).containsExactly("other@20");
        assertThat(engine.queued()).isZero();

        engine.schedule(refusing, 40);
        engine.advanceTo(50);
        assertThat(ran).containsExactly("other@20", "refusing@40");
    }

    @Test
    void anEntryThatThrowsIsDroppedAndTheRestStillRun() {
        engine.schedule(entry("boom", self -> {
            throw new IllegalStateException("driver bug");
        }), 10);
        engine.schedule(entry("after"), 20);

        assertThat(engine.advanceTo(100)).isEqualTo(2);

        assertThat(ran).containsExactly("boom@10", "after@20");
    }

    /** An entry that re-arms itself at its own deadline would keep one advance going forever; a halt ends it. */
    @Test
    void aHaltStopsAnAdvanceThatWouldNeverEndBeforeItsNextEntry() {
        engine.schedule(entry("forever", self -> {
            if (ran.size() == 1_000) {
                engine.halt("over budget");
            }
            engine.schedule(self, clock.nanoTime());
        }), 10);

        assertThatThrownBy(() -> engine.advanceTo(Long.MAX_VALUE)).isInstanceOf(TimerEngine.Halted.class)
                .hasMessage("over budget");
        assertThat(ran).as("the entry running at the halt finished; no other ran").hasSize(1_000);
        assertThat(clock.nanoTime()).as("the clock stayed where delivery stopped").isEqualTo(10);
        assertThatThrownBy(() -> engine.advanceTo(20)).as("for good").isInstanceOf(TimerEngine.Halted.class);
        assertThat(ran).hasSize(1_000);
    }

    @Test
    void advanceToIsRefusedOnRealTime() {
        try (var realTime = TimerEngine.realTime(Clock.system(), 1)) {
            assertThat(realTime.isVirtual()).isFalse();
            assertThatThrownBy(() -> realTime.advanceTo(1)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void theSameScheduleGivesTheSameOrderEveryTime() {
        var first = randomProgram(7);

        assertThat(randomProgram(7)).isEqualTo(first);
        assertThat(first).hasSizeGreaterThan(100);
    }

    /**
     * A seeded program on a fresh engine: entries with clashing deadlines, some rescheduling others or
     * cancelling them while they run, advanced in uneven steps. Returns what ran and when.
     */
    private static List<String> randomProgram(long seed) {
        var random = new Random(seed);
        var clock = new VirtualClock();
        var trace = new ArrayList<String>();
        try (var engine = TimerEngine.virtual(clock)) {
            var entries = new ArrayList<TimerEngine.Entry>();
            for (int i = 0; i < 200; i++) {
                int name = i;
                int action = random.nextInt(4);
                int other = random.nextInt(200);
                long delta = 1 + random.nextInt(20); // never 0: two entries re-arming each other must let time move
                entries.add(new TimerEngine.Entry() {
                    @Override
                    protected void expire() {
                        trace.add(name + "@" + clock.nanoTime());
                        switch (action) {
                            case 0 -> engine.schedule(entries.get(other), clock.nanoTime() + delta);
                            case 1 -> engine.cancel(entries.get(other));
                            default -> { }
                        }
                    }
                });
            }
            for (var entry : entries) {
                engine.schedule(entry, random.nextInt(100));
            }
            for (long target = 0; target <= 400; target += random.nextInt(30)) {
                engine.advanceTo(target);
            }
        }
        return trace;
    }
}
