package dev.novahost.explore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.WireWord;
import dev.novahost.scenario.Scenario;
import dev.novahost.scenario.ScenarioException;
import dev.novahost.scenario.ScenarioOverrun;
import dev.novahost.scenario.ScenarioResult;
import dev.novahost.scenario.ScenarioRunner;
import dev.novahost.scenario.Scenarios;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Explores every schedule of a scenario's teardown race up to a preemption bound, under each policy, on
 * the real kernel: each schedule is written as a scenario ({@link ScheduleScenario}) and run by the
 * scenario runner, so what it reports is what the kernel does, and every reproducer replays as it is.
 * Schedules run shortest first, so the first schedule of an outcome is a shortest one; it is then shrunk
 * (steps dropped one at a time while the outcome stays) and checked by a replay.
 *
 * <p>Thread-safety: an explorer keeps no state of its own explorations; the runs of one exploration go to
 * {@code parallelism} threads of its own, and their outcomes are gathered in schedule order.
 */
public final class Explorer {

    public static final int DEFAULT_BOUND = 2;
    public static final int MAX_BOUND = 4;
    public static final int DEFAULT_BUDGET = 10_000;
    public static final int MAX_BUDGET = 100_000;

    static final String REDUCTION = "static partial-order reduction: a callback is placed only before the"
            + " teardown, after a teardown step it does not commute with (a cancel of it, a lock it takes, the"
            + " unmap of a BAR it reads, the drop of the driver data, module exit and free), after remove()"
            + " returns, and after the teardown ends; the kernel runs for real, so states between two steps"
            + " of a run cannot be hashed";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ScenarioRunner runner;
    private final int parallelism;
    private final Duration maxWallTime;

    /**
     * @param runner      runs each schedule (its budget holds each run)
     * @param parallelism how many schedules run at once
     * @param maxWallTime how long a whole exploration may take ({@link ScenarioOverrun} past it)
     */
    public Explorer(ScenarioRunner runner, int parallelism, Duration maxWallTime) {
        this.runner = runner;
        this.parallelism = parallelism;
        this.maxWallTime = maxWallTime;
    }

    /** The built-in scenarios that tear something down, in their order: the seed thread's races. */
    public static List<String> builtInRaces() {
        return Scenarios.BUILT_IN.stream()
                .filter(name -> TeardownRace.tearsDown(JSON.readTree(Scenarios.source(name).orElseThrow()))).toList();
    }

    /** Explores {@code scenario}'s teardown under each of {@code policies}, in that order. */
    public Exploration explore(JsonNode scenario, List<Policy> policies, int bound, int budget) {
        return explore(scenario, policies, bound, budget, true);
    }

    /** With {@code reduced} false every callback is placed at every position: the check of the reduction. */
    Exploration explore(JsonNode scenario, List<Policy> policies, int bound, int budget, boolean reduced) {
        check(bound, budget);
        var race = TeardownRace.of(scenario);
        var deadline = new Deadline(System.nanoTime(), maxWallTime);
        var explorations = new ArrayList<Exploration.PolicyExploration>();
        try (var pool = Executors.newFixedThreadPool(parallelism, Thread.ofPlatform().daemon().name("explore-", 0).factory())) {
            for (Policy policy : policies.stream().distinct().toList()) {
                explorations.add(explore(race, policy, bound, budget, reduced, pool, deadline));
            }
        }
        String teardown = race.teardown().get("op").asString() + " " + race.pointPrefix();
        return new Exploration(race.name(), teardown, bound, budget, REDUCTION, List.copyOf(explorations),
                headline(teardown, explorations));
    }

    static void check(int bound, int budget) {
        if (bound < 0 || bound > MAX_BOUND) {
            throw KernelException.of(Errno.EINVAL, "bound must be between 0 and " + MAX_BOUND + " preemptions, was " + bound);
        }
        if (budget < 1 || budget > MAX_BUDGET) {
            throw KernelException.of(Errno.EINVAL, "budget must be between 1 and " + MAX_BUDGET + " schedules, was " + budget);
        }
    }

    private Exploration.PolicyExploration explore(TeardownRace race, Policy policy, int bound, int budget,
                                                  boolean reduced, ExecutorService pool, Deadline deadline) {
        var points = points(race, policy);
        var schedules = new ScheduleSpace(race.callbacks(), points, bound, reduced).schedules();
        var explored = schedules.subList(0, Math.min(budget, schedules.size()));
        var results = run(race, points, policy, explored, pool, deadline);
        var byOutcome = new LinkedHashMap<String, List<Integer>>();
        var states = new HashSet<String>();
        int infeasible = 0;
        for (int i = 0; i < results.size(); i++) {
            var result = results.get(i);
            if (result.isEmpty()) {
                infeasible++;
            } else {
                byOutcome.computeIfAbsent(result.get().key(), k -> new ArrayList<>()).add(i);
                states.add(result.get().state());
            }
        }
        var outcomes = new ArrayList<Exploration.Outcome>();
        int violating = 0;
        for (var group : byOutcome.values()) {
            int first = group.getFirst();
            var outcome = results.get(first).orElseThrow();
            if (outcome.violating()) {
                violating += group.size();
            }
            deadline.check();
            outcomes.add(describe(race, points, policy, explored.get(first), outcome, group.size()));
        }
        return new Exploration.PolicyExploration(WireWord.of(policy), points, schedules.size(), explored.size(),
                infeasible, explored.size() == schedules.size(), states.size(), violating, List.copyOf(outcomes));
    }

    /** The points the teardown reaches under {@code policy} with nothing placed, those a scenario can hold it at. */
    private List<String> points(TeardownRace race, Policy policy) {
        var steps = new ArrayList<>(race.setup());
        steps.add(race.teardown());
        var baseline = Scenario.parse(ScheduleScenario.json(race.name(), "", "", race.seed(), steps));
        String prefix = race.pointPrefix() + " ";
        return runner.teardownPoints(baseline, policy).stream().filter(point -> point.startsWith(prefix))
                .map(point -> point.substring(prefix.length())).toList();
    }

    private List<Optional<RunOutcome>> run(TeardownRace race, List<String> points, Policy policy,
                                           List<Schedule> schedules, ExecutorService pool, Deadline deadline) {
        var futures = new ArrayList<Future<Optional<RunOutcome>>>();
        for (Schedule schedule : schedules) {
            futures.add(pool.submit(() -> {
                deadline.check(); // past it, the schedules still queued end at once
                return outcome(race, ScheduleScenario.of(race, points, schedule, policy).steps());
            }));
        }
        var outcomes = new ArrayList<Optional<RunOutcome>>();
        for (var future : futures) {
            try {
                outcomes.add(future.get(deadline.remainingNanos(), TimeUnit.NANOSECONDS));
            } catch (TimeoutException late) {
                futures.forEach(f -> f.cancel(true));
                throw deadline.overrun();
            } catch (ExecutionException failed) {
                futures.forEach(f -> f.cancel(true));
                throw failed.getCause() instanceof RuntimeException e ? e : new IllegalStateException(failed.getCause());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                futures.forEach(f -> f.cancel(true));
                throw KernelException.of(Errno.EAGAIN, "the exploration was interrupted (the host is shutting down); try again");
            }
        }
        return outcomes;
    }

    /** The run's outcome, or empty if the schedule cannot happen (the runner refused one of its steps). */
    private Optional<RunOutcome> outcome(TeardownRace race, List<ObjectNode> steps) {
        return result(race, steps).map(RunOutcome::of);
    }

    private Optional<ScenarioResult> result(TeardownRace race, List<ObjectNode> steps) {
        try {
            var scenario = Scenario.parse(ScheduleScenario.json(race.name(), "", "", race.seed(), steps));
            return Optional.of(runner.run(scenario, Optional.empty()));
        } catch (ScenarioException infeasible) {
            return Optional.empty();
        }
    }

    /** One outcome; a violating one with its shortest schedule shrunk, written as a scenario and replayed. */
    private Exploration.Outcome describe(TeardownRace race, List<String> points, Policy policy, Schedule shortest,
                                         RunOutcome outcome, int schedules) {
        if (!outcome.violating()) {
            return new Exploration.Outcome(outcome.key(), outcome.violations(), outcome.deadlock(), outcome.hung(), false,
                    schedules, List.of(), null, null);
        }
        var steps = new ArrayList<>(shrink(race, ScheduleScenario.of(race, points, shortest, policy).steps(), outcome.key()));
        var schedule = ScheduleScenario.describe(race, steps);
        var last = result(race, steps).orElseThrow();
        expectErrnos(steps, last);
        steps.add(expectation(last));
        var reproducer = ScheduleScenario.json(race.name() + "." + WireWord.of(policy) + "." + slug(outcome.key()),
                race.name() + " under " + WireWord.of(policy) + ": " + outcome.key(),
                "Found by exploring " + race.name() + " (bound and schedule in the exploration): "
                        + String.join("; ", schedule) + ".", race.seed(), steps);
        var replay = runner.run(Scenario.parse(reproducer), Optional.empty());
        return new Exploration.Outcome(outcome.key(), outcome.violations(), outcome.deadlock(), outcome.hung(), true,
                schedules, schedule, reproducer, replay.digest());
    }

    /**
     * Drops what it can while the run still ends in {@code key}: a setup step, a whole callback run (its
     * {@code start-callback} with its {@code finish-callback}), a file operation, a hold nothing is placed
     * at (a {@code resume} right after the step that held). Never a half of a run: a callback left in flight
     * or a teardown left held would end only after the last step, past the reproducer's expectation. The
     * policy (step 0) and the teardown stay. Passes, last step first, until one drops nothing.
     */
    private List<ObjectNode> shrink(TeardownRace race, List<ObjectNode> steps, String key) {
        boolean dropped = true;
        while (dropped) {
            dropped = false;
            for (int i = steps.size() - 1; i >= 1; i--) {
                var fewer = ScheduleScenario.without(race, steps, i);
                if (fewer.isPresent() && result(race, fewer.get()).map(RunOutcome::of).filter(o -> o.key().equals(key)).isPresent()) {
                    steps = fewer.get();
                    dropped = true;
                    i = Math.min(i, steps.size());
                }
            }
        }
        return steps;
    }

    /** Each step that failed says the errno it fails with, so that the replay passes: the failure is the story. */
    private static void expectErrnos(List<ObjectNode> steps, ScenarioResult result) {
        for (var step : result.steps()) {
            if (!step.ok()) {
                var expecting = steps.get(step.index()).deepCopy();
                expecting.putObject("expect").put("errno", step.errno());
                steps.set(step.index(), expecting);
            }
        }
    }

    /** The {@code expect} step that holds for this run: its violations, each with its outcome and count. */
    private static ObjectNode expectation(ScenarioResult result) {
        var expect = JsonNodeFactory.instance.objectNode().put("op", "expect");
        if (result.violations().isEmpty()) {
            return expect.put("none", true);
        }
        var counts = new LinkedHashMap<String, Long>();
        result.violations().forEach(v -> counts.merge(v.kind() + " " + v.outcome(), v.count(), Long::sum));
        var violations = expect.putArray("violations");
        counts.forEach((kindOutcome, count) -> violations.addObject().put("kind", kindOutcome.split(" ")[0])
                .put("outcome", kindOutcome.split(" ")[1]).put("count", count));
        return expect;
    }

    private static String slug(String key) {
        return key.replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }

    /** {@code unbind 0000:01:00.0: under revocable, 0 of 79 schedules end in a violation or deadlock; under fenced, 18 of 79 (mmio_after_revoke); ...}. */
    private static String headline(String teardown, List<Exploration.PolicyExploration> explorations) {
        var said = new ArrayList<String>();
        for (var p : explorations) {
            said.add("under " + p.policy() + ", " + p.violating() + " of " + p.explored()
                    + (said.isEmpty() ? " schedules end in a violation or deadlock" : "") + kinds(p));
        }
        return teardown + ": " + String.join("; ", said);
    }

    private static String kinds(Exploration.PolicyExploration exploration) {
        var kinds = exploration.outcomes().stream().filter(Exploration.Outcome::violating)
                .flatMap(o -> o.violations().stream().filter(v -> v.endsWith(":occurred")).map(v -> v.split(":")[0]))
                .distinct().sorted().toList();
        boolean deadlock = exploration.outcomes().stream().anyMatch(o -> o.violating() && o.deadlock());
        var said = new ArrayList<>(kinds);
        if (deadlock) {
            said.add("deadlock");
        }
        return said.isEmpty() ? "" : " (" + String.join(", ", said) + ")";
    }

    /** When the whole exploration must be done by. */
    private record Deadline(long startNanos, Duration limit) {

        long remainingNanos() {
            return Math.max(0, startNanos + limit.toNanos() - System.nanoTime());
        }

        void check() {
            if (remainingNanos() == 0) {
                throw overrun();
            }
        }

        ScenarioOverrun overrun() {
            return ScenarioOverrun.wallTime(limit.toMillis(), (System.nanoTime() - startNanos) / 1_000_000);
        }
    }

    /**
     * What one run ended in. Violating: something occurred (not only prevented), or a callback deadlocked.
     * Its {@code state} is finer than its outcome: every violation with its object and count, as the
     * sanitizer holds them at the end.
     */
    record RunOutcome(List<String> violations, boolean deadlock, boolean hung, String state) {

        static RunOutcome of(ScenarioResult result) {
            var violations = result.violations().stream().map(v -> v.kind() + ":" + v.outcome()).distinct().sorted().toList();
            boolean deadlock = result.steps().stream().anyMatch(s -> s.value() != null && s.value().endsWith(": deadlock"));
            boolean hung = result.steps().stream().anyMatch(s -> s.blockedUntil() != null && s.blockedUntil() == result.steps().size());
            var state = result.violations().stream().map(v -> v.kind() + ":" + v.outcome() + "@" + v.object() + "x" + v.count())
                    .sorted().collect(Collectors.joining(",")) + (deadlock ? ";deadlock" : "") + (hung ? ";hung" : "");
            return new RunOutcome(violations, deadlock, hung, state);
        }

        boolean violating() {
            return deadlock || hung || violations.stream().anyMatch(v -> v.endsWith(":occurred"));
        }

        String key() {
            var parts = new ArrayList<>(violations);
            if (deadlock) {
                parts.add("deadlock");
            }
            if (hung) {
                parts.add("teardown-hung");
            }
            return parts.isEmpty() ? "clean" : String.join(" + ", parts);
        }
    }
}
