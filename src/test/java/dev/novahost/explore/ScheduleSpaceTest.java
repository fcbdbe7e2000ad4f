package dev.novahost.explore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.KernelException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The schedule space: preemptions in closed form are CHESS's count over the layout, switch by switch;
 * every schedule is within the bound, once, shortest first; the reduced space is part of the full one;
 * a space too large for its bound is refused before it costs more than the enumeration's cap.
 */
class ScheduleSpaceTest {

    private static final List<String> POINTS = List.of("remove:free_irq", "remove:pci_iounmap", "remove:hrtimer_cancel",
            "devres:driver data", "devres:pci_iomap BAR0", "devres:pci_enable_device");

    private static Callback timer(String alias) {
        return new Callback(Callback.Kind.TIMER, alias, 2, true, false, false);
    }

    /** The reference: walk the layout, count each switch away from a task that could have gone on. */
    private static int switchBySwitch(Schedule schedule, int points) {
        int count = 0;
        Integer previous = null;
        boolean teardownRunnable = false;
        var inFlight = new boolean[schedule.runs().size()];
        for (var entry : schedule.layout(points)) {
            int task = entry.callback();
            if (previous != null && task != previous) {
                count += (previous == Schedule.Entry.TEARDOWN ? teardownRunnable : inFlight[previous]) ? 1 : 0;
            }
            switch (entry.event()) {
                case SEGMENT -> teardownRunnable = entry.position() < points;
                case START -> inFlight[task] = true;
                case FINISH -> inFlight[task] = false;
                case FIRE -> { }
            }
            previous = task;
        }
        return count;
    }

    @Test
    void preemptionsInClosedFormAreTheCountOverTheLayout() {
        var random = new Random(18);
        for (int trial = 0; trial < 20_000; trial++) {
            int points = random.nextInt(9);
            var runs = new ArrayList<List<Schedule.Run>>();
            for (int c = 0, callbacks = 1 + random.nextInt(3); c < callbacks; c++) {
                var list = new ArrayList<Schedule.Run>();
                for (int i = 0, from = 0, count = random.nextInt(3); i < count; i++) {
                    int start = from + random.nextInt(points + 2 - from);
                    int finish = start + random.nextInt(points + 2 - start);
                    list.add(new Schedule.Run(start, finish));
                    from = finish;
                }
                runs.add(list);
            }
            var schedule = new Schedule(runs);
            assertThat(schedule.preemptions(points)).as("%s over %d points", runs, points)
                    .isEqualTo(switchBySwitch(schedule, points));
        }
    }

    @Test
    void everyScheduleIsWithinTheBoundOnceShortestFirstAndTheReducedSpaceIsPartOfTheFullOne() {
        var callbacks = List.of(timer("t"), new Callback(Callback.Kind.WORK, "w", 1, false, false, false));
        for (int bound = 0; bound <= 3; bound++) {
            var full = new ScheduleSpace(callbacks, POINTS, bound, false).schedules();
            var reduced = new ScheduleSpace(callbacks, POINTS, bound, true).schedules();

            int b = bound;
            assertThat(full).allSatisfy(s -> assertThat(s.preemptions(POINTS.size())).isLessThanOrEqualTo(b));
            assertThat(new HashSet<>(full)).hasSameSizeAs(full);
            assertThat(full).containsAll(reduced);
            if (bound > 0) { // at bound 0 nothing is placed inside the teardown, where the reduction cuts
                assertThat(reduced.size()).isLessThan(full.size());
            }
            var order = full.stream().mapToInt(s -> s.events(callbacks) * 100 + s.preemptions(POINTS.size())).toArray();
            assertThat(IntStream.range(1, order.length).allMatch(i -> order[i - 1] <= order[i])).isTrue();
        }
    }

    @Test
    void aSpaceTooLargeForItsBoundIsRefusedWithItsSize() {
        var many = IntStream.range(0, 20).mapToObj(i -> timer("t" + i)).toList();

        long start = System.nanoTime();
        assertThatThrownBy(() -> new ScheduleSpace(many, POINTS, 4, true).schedules()).isInstanceOf(KernelException.class)
                .hasMessageContaining("the race of 20 callbacks over 6 points has more than")
                .hasMessageContaining("lower the bound or name fewer callbacks");
        System.out.printf("issue 18: a space of 20 callbacks at bound 4 refused after %d ms%n",
                (System.nanoTime() - start) / 1_000_000);
    }
}
