package dev.novahost.explore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
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

    /**
     * Candidates looked at, at most, before the space is refused as too large for its bound: every
     * schedule is held in memory and sorted before the budget cuts it, so an input with many callbacks at a
     * high bound must not make the enumeration itself the cost.
     */
    static final int MAX_CANDIDATES = 1_000_000;
    /** Schedules held at most (about 150 MB at worst): past the largest budget, so a budget can still cut. */
    static final int MAX_SCHEDULES = 150_000;
    /** Points a teardown may have: positions are bits of a long. */
    static final int MAX_POINTS = 61;

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
        if (points.size() > MAX_POINTS) {
            throw KernelException.of(Errno.EINVAL, "the teardown has " + points.size() + " points; the explorer places"
                    + " callbacks among at most " + MAX_POINTS);
        }
        var perCallback = new ArrayList<List<Option>>();
        for (Callback callback : callbacks) {
            perCallback.add(optionsOf(callback));
        }
        var found = new ArrayList<Ranked>();
        combine(perCallback, 0, 0L, 0, new ArrayList<>(), found, new int[1]);
        found.sort(Comparator.comparingInt(Ranked::events).thenComparingInt(Ranked::preemptions)
                .thenComparing(Ranked::key));
        return found.stream().map(Ranked::schedule).toList();
    }

    /** One callback's runs, with what they cost of the bound: the inside positions they use, the runs held in flight. */
    private record Option(List<Schedule.Run> runs, long inside, int inFlight) { }

    /** A schedule with its place in the exploration order, each computed once. */
    private record Ranked(Schedule schedule, int events, int preemptions, String key) { }

    /**
     * Chooses each callback's runs in turn. Preemptions only add up (the inside positions are a union,
     * the runs in flight a sum), so a partial choice over the bound is dropped with all its completions.
     */
    private void combine(List<List<Option>> perCallback, int next, long inside, int inFlight,
                         List<List<Schedule.Run>> chosen, List<Ranked> found, int[] candidates) {
        if (next == perCallback.size()) {
            if (found.size() == MAX_SCHEDULES) {
                throw tooMany(MAX_SCHEDULES + " schedules");
            }
            var schedule = new Schedule(List.copyOf(chosen));
            found.add(new Ranked(schedule, schedule.events(callbacks), Long.bitCount(inside) + inFlight, schedule.key()));
            return;
        }
        for (var option : perCallback.get(next)) {
            if (++candidates[0] > MAX_CANDIDATES) {
                throw tooMany(MAX_CANDIDATES + " candidate schedules");
            }
            long union = inside | option.inside();
            if (Long.bitCount(union) + inFlight + option.inFlight() <= bound) {
                chosen.add(option.runs());
                combine(perCallback, next + 1, union, inFlight + option.inFlight(), chosen, found, candidates);
                chosen.removeLast();
            }
        }
    }

    private KernelException tooMany(String what) {
        return KernelException.of(Errno.EINVAL, "the race of " + callbacks.size() + " callbacks over " + points.size()
                + " points has more than " + what + " at bound " + bound + "; lower the bound or name fewer callbacks");
    }

    /** Every sequence of runs of one callback, from none to its most, within the bound on its own. */
    private List<Option> optionsOf(Callback callback) {
        var positions = positions(callback);
        var all = new ArrayList<Option>();
        extend(callback, positions, 0, new ArrayList<>(), all);
        return all;
    }

    private void extend(Callback callback, List<Integer> positions, int from, List<Schedule.Run> runs, List<Option> all) {
        long inside = Schedule.insidePositions(runs, points.size());
        int inFlight = Schedule.inFlight(runs);
        if (Long.bitCount(inside) + inFlight > bound) {
            return;
        }
        all.add(new Option(List.copyOf(runs), inside, inFlight));
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
