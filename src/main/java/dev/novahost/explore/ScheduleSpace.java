package dev.novahost.explore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Every schedule of a teardown race up to a preemption bound, shortest first.
 *
 * <p>Reduction: static partial-order reduction. The kernel runs for real (every schedule is a scenario
 * the runner executes), so its state cannot be hashed between two steps of a run; what can be known
 * beforehand is which teardown steps a callback does not commute with ({@link Callback#dependsOn}). A
 * callback placed just after a step it commutes with ends in the same state as one placed just before
 * that step, so each callback is placed only at position 0 and just after the steps it depends on (plus
 * the step at which remove() returns, and the last step, which every callback depends on). That keeps one
 * schedule of each class. {@code ExplorerReductionTest} checks on every built-in race that the reduced
 * space finds exactly the outcomes the full one does.
 *
 * @param points  the teardown's points, as the scenario names them (without the device)
 * @param reduced whether to place callbacks only where they do not commute (false: at every position)
 */
record ScheduleSpace(List<Callback> callbacks, List<String> points, int bound, boolean reduced) {

    /** The positions at which {@code callback} is placed: 0, and just after each step it depends on. */
    List<Integer> positions(Callback callback) {
        var positions = new TreeSet<Integer>();
        positions.add(0);
        int removeReturns = firstDevresPoint();
        for (int segment = 0; segment <= points.size(); segment++) {
            boolean everyone = segment == 0 || segment == points.size() || segment == removeReturns;
            if (!reduced || everyone || callback.dependsOn(points.get(segment - 1))) {
                positions.add(segment + 1);
            }
        }
        return List.copyOf(positions);
    }

    /**
     * The segment at whose end remove() has returned: the one that ends at the first devres point
     * (segment 0 runs from the teardown's start to its first point, segment k is the step at point k - 1).
     * Every callback races it: under fenced, code of the device that runs after it is a violation.
     */
    private int firstDevresPoint() {
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i).startsWith("devres:")) {
                return i;
            }
        }
        return points.size();
    }

    /** Every schedule within the bound, ordered by events, then preemptions, then positions. */
    List<Schedule> schedules() {
        var perCallback = new ArrayList<List<List<Schedule.Run>>>();
        for (Callback callback : callbacks) {
            perCallback.add(runsOf(callback));
        }
        var found = new ArrayList<Schedule>();
        combine(perCallback, 0, new ArrayList<>(), found);
        found.sort(Comparator.<Schedule>comparingInt(s -> s.events(callbacks))
                .thenComparingInt(s -> s.preemptions(points.size()))
                .thenComparing(Schedule::key));
        return found;
    }

    private void combine(List<List<List<Schedule.Run>>> perCallback, int next, List<List<Schedule.Run>> chosen,
                         List<Schedule> found) {
        if (next == perCallback.size()) {
            var schedule = new Schedule(List.copyOf(chosen));
            if (schedule.preemptions(points.size()) <= bound) {
                found.add(schedule);
            }
            return;
        }
        for (var runs : perCallback.get(next)) {
            chosen.add(runs);
            // a callback's own preemptions only add up: prune as soon as the partial schedule is over
            if (new Schedule(List.copyOf(chosen)).preemptions(points.size()) <= bound) {
                combine(perCallback, next + 1, chosen, found);
            }
            chosen.removeLast();
        }
    }

    /** Every sequence of runs of one callback, from none to its most, within the bound on its own. */
    private List<List<Schedule.Run>> runsOf(Callback callback) {
        var positions = positions(callback);
        var all = new ArrayList<List<Schedule.Run>>();
        extend(callback, positions, 0, new ArrayList<>(), all);
        return all;
    }

    private void extend(Callback callback, List<Integer> positions, int from, List<Schedule.Run> runs,
                        List<List<Schedule.Run>> all) {
        if (new Schedule(List.of(List.copyOf(runs))).preemptions(points.size()) > bound) {
            return;
        }
        all.add(List.copyOf(runs));
        if (runs.size() == callback.firings()) {
            return;
        }
        for (int s = from; s < positions.size(); s++) {
            for (int f = s; f < positions.size(); f++) {
                if (callback.kind() == Callback.Kind.FILE && f != s) {
                    break; // a file operation is one step: it is never held in flight
                }
                runs.add(new Schedule.Run(positions.get(s), positions.get(f)));
                extend(callback, positions, f, runs, all);
                runs.removeLast();
            }
        }
    }
}
