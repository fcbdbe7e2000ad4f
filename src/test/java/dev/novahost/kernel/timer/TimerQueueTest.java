package dev.novahost.kernel.timer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The timerqueue under the engine: entries leave in (deadline, sequence) order, and an entry taken out
 * of the middle (a timer cancelled at unbind) leaves a valid heap behind.
 */
class TimerQueueTest {

    private static final Comparator<TimerEngine.Entry> EXPIRY_ORDER =
            Comparator.<TimerEngine.Entry>comparingLong(e -> e.deadline).thenComparingLong(e -> e.seq);

    /** An armed timer as the queue sees it: a deadline and the sequence it was scheduled with. */
    private static final class Armed extends TimerEngine.Entry {
        Armed(long deadline, long seq) {
            this.deadline = deadline;
            this.seq = seq;
        }

        @Override
        protected void expire() {
        }
    }

    private final TimerQueue queue = new TimerQueue();

    @Test
    void timersExpireByDeadlineThenByTheOrderTheyWereArmed() {
        var late = new Armed(300, 1);
        var earlyArmedSecond = new Armed(100, 3);
        var earlyArmedFirst = new Armed(100, 2);
        var middle = new Armed(200, 4);
        List.of(late, earlyArmedSecond, earlyArmedFirst, middle).forEach(queue::add);

        assertThat(drain()).containsExactly(earlyArmedFirst, earlyArmedSecond, middle, late);
        assertThat(queue.peek()).isNull();
        assertThat(queue.poll()).isNull();
    }

    @Test
    void cancellingATimerInTheMiddleKeepsTheRestInOrder() {
        var armed = new ArrayList<Armed>();
        for (int i = 0; i < 15; i++) {
            var timer = new Armed(i * 10L, i);
            armed.add(timer);
            queue.add(timer);
        }

        assertThat(queue.remove(armed.get(7))).isTrue();
        assertThat(queue.remove(armed.get(3))).isTrue();
        assertThat(queue.remove(armed.get(7))).as("already cancelled").isFalse();

        var expected = new ArrayList<TimerEngine.Entry>(armed);
        expected.remove(armed.get(7));
        expected.remove(armed.get(3));
        assertThat(drain()).containsExactlyElementsOf(expected);
    }

    @Test
    void aTimerThatWasNeverArmedOrHasExpiredIsNotInTheQueue() {
        var never = new Armed(5, 1);
        var expired = new Armed(1, 2);
        queue.add(expired);
        assertThat(queue.poll()).isSameAs(expired);

        assertThat(queue.remove(never)).isFalse();
        assertThat(queue.remove(expired)).isFalse();
        assertThat(queue.size()).isZero();
    }

    /**
     * Thousands of arm / cancel / expire / re-arm steps against a reference ordered set: after every step
     * the earliest timer and the count agree, and draining at the end gives the reference order.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 42, 20_251_103})
    void randomArmCancelExpireAgreesWithAnOrderedReference(long seed) {
        var random = new Random(seed);
        var reference = new TreeSet<>(EXPIRY_ORDER);
        var known = new ArrayList<Armed>();
        long seq = 0;

        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(10);
            if (op < 4 || known.isEmpty()) {
                // few distinct deadlines, so that ties are common
                var timer = new Armed(random.nextInt(64), ++seq);
                known.add(timer);
                queue.add(timer);
                reference.add(timer);
            } else if (op < 7) {
                var timer = known.get(random.nextInt(known.size()));
                assertThat(queue.remove(timer)).as("remove at step %d", step).isEqualTo(reference.remove(timer));
            } else if (op < 9) {
                assertThat(queue.poll()).as("poll at step %d", step).isSameAs(reference.pollFirst());
            } else {
                // re-arm an expired or cancelled timer with a fresh sequence, as schedule() does
                var timer = known.get(random.nextInt(known.size()));
                if (!reference.contains(timer)) {
                    timer.deadline = random.nextInt(64);
                    timer.seq = ++seq;
                    queue.add(timer);
                    reference.add(timer);
                }
            }
            assertThat(queue.size()).as("size at step %d", step).isEqualTo(reference.size());
            assertThat(queue.peek()).as("earliest at step %d", step)
                    .isSameAs(reference.isEmpty() ? null : reference.first());
        }

        assertThat(drain()).containsExactlyElementsOf(reference);
    }

    private List<TimerEngine.Entry> drain() {
        var order = new ArrayList<TimerEngine.Entry>();
        for (var next = queue.poll(); next != null; next = queue.poll()) {
            order.add(next);
        }
        return order;
    }
}
