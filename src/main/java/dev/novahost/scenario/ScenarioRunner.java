package dev.novahost.scenario;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.task.CurrentTask;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Runs a scenario in a fresh kernel on virtual time, never touching the live host. Time moves only in
 * {@code advance} steps, and every callback due runs in deadline order on the runner's thread.
 *
 * <p>Interleavings are explicit. {@code start-callback} lets a timer or work callback begin and holds it
 * in flight on a second simulated CPU; the steps after it run while it is in flight, each on a CPU of its
 * own, and a step that has to wait for it is left blocked exactly where the kernel would block.
 * {@code finish-callback} lets the callback end; the steps that waited for it complete then, and name that step
 * in {@code blockedUntil}. Callbacks still in flight at the end are finished in the order they started.
 * A callback that deadlocks instead of ending (it sleeps in a wait whose holder waits for it) is named so
 * in that step's value, and the run goes on: {@code advance} runs the hung-task check on virtual time,
 * {@code expect} sees its reports; at the end the machine shuts down, which breaks the stuck waits, and the
 * steps blocked behind the deadlock complete then. A teardown step's {@code pauseAt} holds it at a named point
 * of its own (before a devres entry is released, a step of remove(), module_exit) while the next steps run,
 * until a {@code resume} lets it go on ({@link HoldSteps}).
 * {@link SimulatedCpus} schedules those threads and argues why their order is fixed.
 *
 * <p>Every request (a run, or a comparison's runs together) is held to a {@link ScenarioBudget}: a
 * {@link BudgetMeter} counts its events as the kernel writes them and looks at its wall time on every
 * event and step, and going over halts the run's timer engine, so no input runs without end; the
 * request ends in a {@link ScenarioOverrun} that names the budget. At most {@link RunSlots} requests
 * run at once; past them {@link RunSlots.Busy} at once.
 *
 * <p>Each step applies itself ({@link Step}); what it expects is checked by its {@link Expectation}.
 *
 * <p>Thread-safety: a runner keeps no state of its own runs and may run scenarios on several threads at
 * once (as many as its slots); each run has its own kernel, threads and meter.
 */
public final class ScenarioRunner {

    private final ScenarioBudget budget;
    private final RunSlots slots;

    /** The default budget, as many runs at once as asked: for tests and tools that run their own scenarios. */
    public ScenarioRunner() {
        this(ScenarioBudget.DEFAULTS);
    }

    /** This budget, as many runs at once as asked (the command line runs one). */
    public ScenarioRunner(ScenarioBudget budget) {
        this(budget, RunSlots.unlimited());
    }

    public ScenarioRunner(ScenarioBudget budget, RunSlots slots) {
        this.budget = budget;
        this.slots = slots;
    }

    public ScenarioBudget budget() {
        return budget;
    }

    /**
     * The same budget without slots: for a request that has taken one slot for all its runs
     * ({@link #exclusively}), such as an exploration.
     */
    public ScenarioRunner unslotted() {
        return new ScenarioRunner(budget, RunSlots.unlimited());
    }

    /** Runs {@code request} (its runs made by an {@link #unslotted} runner) in one slot, off the caller's virtual thread. */
    public <T> T exclusively(Supplier<T> request) {
        try (var slot = slots.take()) {
            return onPlatformThread(request);
        }
    }

    /** One run, under the given policy or, if none, the kernel's default (unless the scenario sets its own). */
    public ScenarioResult run(Scenario scenario, Optional<Policy> policy) {
        try (var slot = slots.take()) {
            return onPlatformThread(() -> run(scenario, policy, new BudgetMeter(budget, scenario)));
        }
    }

    /** One run under each policy (each once), in the order given, side by side, within one budget. */
    public ScenarioComparison compare(Scenario scenario, List<Policy> policies) {
        try (var slot = slots.take()) {
            return onPlatformThread(() -> {
                var meter = new BudgetMeter(budget, scenario);
                var runs = new LinkedHashMap<String, ScenarioResult>();
                for (Policy policy : policies.stream().distinct().toList()) {
                    runs.put(WireWord.of(policy), run(scenario, Optional.of(policy), meter));
                }
                return ScenarioComparison.of(runs);
            });
        }
    }

    /**
     * A sweep ({@link Sweep}): {@code operation} (the bind of {@code target}'s driver to a GPU of
     * {@code chipset}, or its load) walked with fail-nth under each policy, one fresh kernel per step, all
     * within one budget and one run slot.
     */
    public Sweep.Result sweep(Sweep.Operation operation, Sweep.Target target, Chipset chipset, List<Policy> policies) {
        try (var slot = slots.take()) {
            return onPlatformThread(() -> {
                var meter = new BudgetMeter(budget);
                try {
                    return Sweep.run(operation, target, chipset, policies, meter);
                } catch (RuntimeException failed) {
                    throw meter.overrun().<RuntimeException>map(overrun -> overrun).orElse(failed);
                }
            });
        }
    }

    /**
     * The teardown points ({@link dev.novahost.kernel.task.Breakpoints}' names) one run of the scenario
     * reaches under {@code policy}, in order: the map of a teardown a schedule explorer places callbacks
     * in. The run is held to this runner's budget; a refused step is thrown.
     */
    public List<String> teardownPoints(Scenario scenario, Policy policy) {
        var points = Collections.synchronizedList(new ArrayList<String>());
        try (var slot = slots.take(); var run = new Run(scenario, Optional.of(policy), new BudgetMeter(budget, scenario))) {
            run.kernel.breakpoints().record(points::add);
            run.execute();
        }
        return List.copyOf(points);
    }

    /**
     * Runs the request on a platform thread of its own when the caller is a virtual thread (the server's
     * request threads are). A run keeps a CPU busy until it ends; on a virtual thread it would hold its
     * carrier all that time, and with as many runs as carriers nothing else, not the host's other
     * requests nor its liveness probe, would run. The caller waits unmounted.
     */
    private static <T> T onPlatformThread(Supplier<T> request) {
        if (!Thread.currentThread().isVirtual()) {
            return request.get();
        }
        var answer = new CompletableFuture<T>();
        Thread.ofPlatform().daemon().name("scenario-run").start(() -> {
            try {
                answer.complete(request.get());
            } catch (RuntimeException | Error failed) {
                answer.completeExceptionally(failed);
            }
        });
        try {
            return answer.join();
        } catch (CompletionException failed) {
            if (failed.getCause() instanceof RuntimeException e) {
                throw e;
            }
            throw (Error) failed.getCause();
        }
    }

    private static ScenarioResult run(Scenario scenario, Optional<Policy> policy, BudgetMeter meter) {
        try (var run = new Run(scenario, policy, meter)) {
            return run.execute();
        }
    }

    private static final class Run implements AutoCloseable, StepContext {

        private final Scenario scenario;
        private final Optional<Policy> policy;
        private final BudgetMeter meter;
        private final VirtualClock clock = new VirtualClock();
        private final TimerEngine engine = TimerEngine.virtual(clock);
        /** Its log holds every event the budget allows, so a run that stays within it loses none. */
        private final Kernel kernel;
        private final RunNames names = new RunNames();
        private final SimulatedCpus cpus;
        private final ScenarioResult.StepResult[] results;
        private int passed;
        private int failed;
        /** The step being run: a blocked step that completes now was let go by it. */
        private int current;

        Run(Scenario scenario, Optional<Policy> policy, BudgetMeter meter) {
            this.scenario = scenario;
            this.policy = policy;
            this.meter = meter;
            this.kernel = new Kernel(new KernelConfig(256, false, 1, meter.maxEvents()), engine);
            this.cpus = new SimulatedCpus(engine, meter, kernel.hungTasks());
            this.results = new ScenarioResult.StepResult[scenario.steps().size()];
            meter.watch(kernel.log(), engine, clock);
        }

        /** Runs every step; a run that went over its budget ends in the overrun, whatever failed after it. */
        ScenarioResult execute() {
            try {
                return executeSteps();
            } catch (RuntimeException failed) {
                throw meter.overrun().<RuntimeException>map(overrun -> overrun).orElse(failed);
            }
        }

        private ScenarioResult executeSteps() {
            policy.ifPresent(p -> kernel.driverCore().setPolicy(NovaCoreDriver.NAME, p));
            for (Step step : scenario.steps()) {
                current = step.index();
                meter.atStep(current);
                switch (step) {
                    case Step.OnCpus scheduling -> record(step, StepOutcome.attempt(() -> scheduling.apply(this)));
                    case Step.Expect expect -> check(expect);
                    case Step.OnKernel action -> perform(action);
                }
            }
            current = scenario.steps().size();
            meter.atStep(current);
            completed(cpus.letGoHeld(current - 1)); // a teardown still held goes on, as the machine would
            completed(cpus.finishAll(current - 1));
            completed(cpus.breakDeadlocks(current - 1, kernel::close)); // the machine shuts down: stuck waits give up
            meter.atStep(current);
            return result();
        }

        /** An {@code expect} step; one for another policy than the driver's now says so and checks nothing. */
        private void check(Step.Expect expect) {
            var now = kernel.driverCore().policy(NovaCoreDriver.NAME);
            if (expect.policy().filter(only -> only != now).isPresent()) {
                record(expect, new StepOutcome("not checked under " + WireWord.of(now), null), Optional.empty());
                return;
            }
            var verdict = expect.expected().check(kernel.sanitizer());
            record(expect, new StepOutcome(verdict.wire(), null), Optional.of(verdict));
        }

        /**
         * Runs a step here, or, while a callback is in flight or deadlocked or a teardown held, on a CPU of
         * its own in case it has to wait; a teardown with a {@code pauseAt} on a CPU of its own, held there.
         * It runs as its task ({@code unbind 0000:01:00.0}), the name lockdep and the hung-task detector give
         * whoever holds or waits, whichever thread runs it.
         */
        private void perform(Step.OnKernel step) {
            Supplier<StepOutcome> asTask = () -> {
                try (var as = CurrentTask.callback(step.task())) {
                    return StepOutcome.attempt(() -> step.apply(this));
                }
            };
            if (step instanceof HoldSteps.Holdable teardown && teardown.pauseAt().isPresent()) {
                var point = HoldSteps.point(teardown.owner(), teardown.pauseAt().get(), names);
                cpus.runHeld(step, asTask, kernel.breakpoints(), point);
                return;
            }
            if (cpus.idle()) {
                record(step, asTask.get());
                return;
            }
            cpus.runAside(step, asTask).ifPresent(outcome -> record(step, outcome));
        }

        @Override
        public void completed(List<SimulatedCpus.Completed> completed) {
            completed.forEach(done -> record(done.step(), done.outcome()));
        }

        @Override
        public Kernel kernel() {
            return kernel;
        }

        @Override
        public TimerEngine engine() {
            return engine;
        }

        @Override
        public VirtualClock clock() {
            return clock;
        }

        @Override
        public long seed() {
            return scenario.seed();
        }

        @Override
        public RunNames names() {
            return names;
        }

        @Override
        public SimulatedCpus cpus() {
            return cpus;
        }

        /** A step that ran, with its own expectation's verdict, or, without one, an errno it was not expected to fail with. */
        private void record(Step step, StepOutcome outcome) {
            record(step, outcome, Expectation.OfStep.verdict(step.line().expect(), outcome));
        }

        private void record(Step step, StepOutcome outcome, Optional<Verdict> verdict) {
            verdict.ifPresent(held -> {
                switch (held) {
                    case Verdict.Passed _ -> passed++;
                    case Verdict.Failed _ -> failed++;
                }
            });
            results[step.index()] = new ScenarioResult.StepResult(step.index(), step.op(), outcome.succeeded(),
                    outcome.succeeded() ? null : outcome.errno().name(), outcome.value(),
                    verdict.map(Verdict::wire).orElse(null), current == step.index() ? null : current);
        }

        // --- the result -----------------------------------------------------------------------------

        private ScenarioResult result() {
            var events = kernel.log().since(0, Integer.MAX_VALUE).stream()
                    .map(e -> new ScenarioResult.Event(e.seq(), e.clockNs(), e.device(), e.object(), e.type(), e.message()))
                    .toList();
            var violations = kernel.sanitizer().violations().stream()
                    .map(v -> new ScenarioResult.Violation(v.kind().wireName(), WireWord.of(v.outcome()), v.device(), v.object(),
                            v.generation(), v.count(), v.firstSeenNs(), v.lastSeenNs(), v.message(),
                            v.timeline().stream().map(e -> e.seq()).toList()))
                    .toList();
            var result = new ScenarioResult(scenario.name(), scenario.seed(),
                    WireWord.of(policy.orElse(Policy.REVOCABLE)), failed == 0, passed, failed,
                    List.of(results), events, violations, "");
            return result.withDigest(ResultDigest.of(result, meter));
        }

        /** A run that ended early (a bad step) lets go of what it holds, so that no thread stays parked. */
        @Override
        public void close() {
            cpus.close();
            kernel.close();
        }
    }
}
