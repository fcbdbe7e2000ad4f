package dev.novahost.explore;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What an exploration found: for each policy, how many schedules of the teardown race there are within
 * the bound, how many ran, and each distinct outcome with the shortest schedule that produces it, written
 * as a scenario. Nothing in it depends on wall time or on how many threads ran it: the same scenario,
 * bound and budget give a byte-identical exploration.
 *
 * @param headline  the comparison of the policies in one sentence
 * @param reduction how schedules that end in the same state are explored once
 */
public record Exploration(String scenario, String teardown, int bound, int budget, String reduction,
                          List<PolicyExploration> policies, String headline) {

    /**
     * One policy's exploration.
     *
     * @param points     the teardown's points, in the order it reaches them: where callbacks are placed
     * @param schedules  how many schedules there are within the bound
     * @param explored   how many ran (at most the budget); {@code complete} if that is all of them
     * @param infeasible how many could not happen (the runner refused a step: a callback that was no longer
     *                   armed, a point a blocked teardown could not reach)
     * @param states     how many distinct states the feasible ones ended in: every violation with its object
     *                   and count, a deadlock, a teardown that never returned (outcomes are coarser)
     * @param violating  how many ended in an outcome that is a violation or a deadlock
     */
    public record PolicyExploration(String policy, List<String> points, int schedules, int explored, int infeasible,
                                    boolean complete, int states, int violating, List<Outcome> outcomes) { }

    /**
     * One distinct outcome: the violations that occurred or were prevented (kind:outcome), whether a
     * callback deadlocked, whether the teardown never returned; how many schedules end in it; and for a
     * violating one the shortest such schedule, shrunk, in words and as a scenario whose replay gives
     * {@code digest}.
     */
    public record Outcome(String outcome, List<String> violations, boolean deadlock, boolean hung, boolean violating,
                          int schedules, List<String> schedule, JsonNode reproducer, String digest) { }
}
