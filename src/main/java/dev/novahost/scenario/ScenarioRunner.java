package dev.novahost.scenario;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Kernel;
import dev.novahost.kernel.KernelConfig;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.CallbackHold;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.DriverWork;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * Runs a scenario in a fresh kernel on virtual time, never touching the live host. Time moves only in
 * {@code advance} steps, and every callback due runs in deadline order on the runner's thread.
 *
 * <p>Interleavings are explicit. {@code start-callback} lets a timer or work callback begin and holds it
 * in flight on a second simulated CPU; the steps after it run while it is in flight, each on a CPU of its
 * own, and a step that has to wait for it is left blocked exactly where the kernel would block.
 * {@code finish-callback} lets the callback end; the steps that waited for it complete then, and name that step
 * in {@code blockedUntil}. Callbacks still in flight at the end are finished in the order they started.
 * {@link SimulatedCpus} schedules those threads and argues why their order is fixed.
 *
 * <p>Every request (a run, or a comparison's runs together) is held to a {@link ScenarioBudget}: a
 * {@link BudgetMeter} counts its events as the kernel writes them and looks at its wall time on every
 * event and step, and going over halts the run's timer engine, so no input runs without end; the
 * request ends in a {@link ScenarioOverrun} that names the budget. At most {@link RunSlots} requests
 * run at once; past them {@link RunSlots.Busy} at once.
 *
 * <p>Why it is still this long: the interpreter over op strings ({@code apply} and its argument readers)
 * and the expectation checks live here until steps become a sealed family of records that parse and
 * apply themselves (issue 14); the scheduler and the digest already left.
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
                    runs.put(policy.name().toLowerCase(Locale.ROOT), run(scenario, Optional.of(policy), meter));
                }
                return ScenarioComparison.of(runs);
            });
        }
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

    private static final class Run implements AutoCloseable {

        private final Scenario scenario;
        private final Optional<Policy> policy;
        private final BudgetMeter meter;
        private final VirtualClock clock = new VirtualClock();
        private final TimerEngine engine = TimerEngine.virtual(clock);
        /** Its log holds every event the budget allows, so a run that stays within it loses none. */
        private final Kernel kernel;
        private final Map<String, DriverTimer> timers = new LinkedHashMap<>();
        private final Map<String, DriverWork> works = new LinkedHashMap<>();
        private final Map<String, Integer> files = new LinkedHashMap<>();
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
            this.cpus = new SimulatedCpus(engine, meter);
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
                switch (step.op()) {
                    case "start-callback" -> record(step, StepOutcome.attempt(() -> startCallback(step)));
                    case "finish-callback" -> record(step, StepOutcome.attempt(() -> finishCallback(step)));
                    case "expect" -> {
                        var verdict = expectState(step);
                        record(step, new StepOutcome(verdict.wire(), null), Optional.of(verdict));
                    }
                    default -> perform(step);
                }
            }
            current = scenario.steps().size();
            meter.atStep(current);
            recordCompleted(cpus.finishAll(current - 1));
            meter.atStep(current);
            return result();
        }

        // --- interleavings ------------------------------------------------------------------------------

        /** Runs a step here, or, while a callback is in flight, on a CPU of its own in case it has to wait. */
        private void perform(Step step) {
            if (cpus.idle()) {
                record(step, StepOutcome.attempt(() -> apply(step)));
                return;
            }
            cpus.runAside(step, () -> StepOutcome.attempt(() -> apply(step))).ifPresent(outcome -> record(step, outcome));
        }

        private String startCallback(Step step) {
            String alias = step.callbackAlias();
            if (cpus.inFlight(alias)) {
                throw step.fail(alias + " already has a callback in flight");
            }
            CallbackHold hold;
            long until;
            if (step.arg("timer").isPresent()) {
                var timer = timer(step, alias);
                until = timer.nextExpiry().orElseThrow(() ->
                        step.fail("timer " + alias + " is not armed, so no callback of it can start"));
                hold = timer.holdNextCallback();
            } else {
                hold = work(step, alias).holdNextRun();
                until = clock.nanoTime();
            }
            cpus.start(step, alias, hold, until);
            return alias + " in flight at " + until + " ns";
        }

        private String finishCallback(Step step) {
            String alias = step.callbackAlias();
            recordCompleted(cpus.finish(step, alias));
            return alias + " finished";
        }

        /** The steps that waited for a callback and completed when it ended, let go by the current step. */
        private void recordCompleted(List<SimulatedCpus.Completed> completed) {
            completed.forEach(done -> record(done.step(), done.outcome()));
        }

        // --- the steps ------------------------------------------------------------------------------

        private String apply(Step step) {
            return switch (step.op()) {
                case "create-device" -> kernel.hotplug(Chipset.named(step.text("chipset")),
                        step.optText("address").map(PciAddress::parse),
                        step.optNumberText("revision").map(Long::intValue).orElse(0xa1)).address().toString();
                case "remove-device" -> {
                    kernel.hotUnplug(device(step));
                    yield null;
                }
                case "surprise-removal" -> kernel.surpriseRemove(device(step)).state().name().toLowerCase(Locale.ROOT);
                case "load" -> {
                    kernel.load(NovaCoreDriver.NAME);
                    yield "generation " + kernel.module(NovaCoreDriver.NAME).generation();
                }
                case "unload" -> {
                    kernel.unload(NovaCoreDriver.NAME, step.optWord("mode", UnloadMode.class).orElse(UnloadMode.PIN));
                    yield null;
                }
                case "set-policy" -> {
                    kernel.driverCore().setPolicy(NovaCoreDriver.NAME, step.optWord("policy", Policy.class).orElseThrow());
                    yield null;
                }
                case "set-faults" -> {
                    kernel.setFaults(faults(step));
                    yield null;
                }
                case "bind" -> {
                    kernel.driverCore().bind(NovaCoreDriver.NAME, device(step));
                    yield null;
                }
                case "unbind" -> {
                    kernel.driverCore().unbind(NovaCoreDriver.NAME, device(step));
                    yield null;
                }
                case "arm-timer" -> armTimer(step);
                case "cancel-timer" -> {
                    kernel.timers().cancel(timer(step, step.text("timer")).id());
                    yield null;
                }
                case "queue-work" -> queueWork(step);
                case "cancel-work" -> {
                    kernel.work().cancel(work(step, step.text("work")).id());
                    yield null;
                }
                case "open-file" -> {
                    var file = kernel.files().open(device(step));
                    step.optText("as").ifPresent(alias -> files.put(alias, file.fd()));
                    yield "fd " + file.fd();
                }
                case "close-file" -> {
                    kernel.files().close(file(step));
                    yield null;
                }
                case "read-mmio" -> hex(kernel.mmio().read(device(step), offset(step)));
                case "write-mmio" -> {
                    kernel.mmio().write(device(step), offset(step), value(step));
                    yield null;
                }
                case "file-read" -> hex(kernel.files().read(file(step), offset(step)));
                case "file-write" -> {
                    kernel.files().write(file(step), offset(step), value(step));
                    yield null;
                }
                case "advance" -> {
                    int ran = engine.advanceTo(clock.nanoTime() + step.number("ns"));
                    yield ran + " callbacks ran; now " + clock.nanoTime() + " ns";
                }
                default -> throw step.fail("op " + step.op() + " cannot run here");
            };
        }

        private String armTimer(Step step) {
            var mode = step.optWord("mode", TimerMode.class).orElseThrow();
            var target = step.optText("work").map(alias -> work(step, alias));
            var spec = new DriverTimer.Spec(mode, step.number("delayNs"),
                    mode == TimerMode.PERIODIC ? step.number("periodNs") : 0,
                    step.optWord("scope", Scope.class).orElse(Scope.DEVICE),
                    step.optWord("action", Action.class).orElse(Action.NOOP), target);
            var timer = kernel.timers().arm(device(step), spec);
            step.optText("as").ifPresent(alias -> timers.put(alias, timer));
            return "timer " + timer.id();
        }

        private String queueWork(Step step) {
            var spec = new DriverWork.Spec(step.optNumber("delayNs").orElse(0L), step.optNumber("requeue").orElse(0L),
                    step.optWord("scope", Scope.class).orElse(Scope.DEVICE),
                    step.optWord("action", Action.class).orElse(Action.NOOP));
            var work = kernel.work().queue(device(step), spec);
            step.optText("as").ifPresent(alias -> works.put(alias, work));
            return "work " + work.id();
        }

        // --- expectations ---------------------------------------------------------------------------

        /** A step that ran: its own expectation, or, without one, an errno it was not expected to fail with. */
        private void record(Step step, StepOutcome outcome) {
            record(step, outcome, step.expect().map(expected -> check(expected, outcome))
                    .or(() -> outcome.succeeded() ? Optional.empty() : Optional.of(unexpected(outcome))));
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

        private static Verdict check(JsonNode expected, StepOutcome outcome) {
            var errno = expected.get("errno");
            String got = outcome.succeeded() ? "success" : outcome.errno().name();
            if (errno != null && !got.equalsIgnoreCase(errno.asString().trim())) {
                return Verdict.failed("expected " + errno.asString() + ", got " + got);
            }
            if (errno == null && !outcome.succeeded()) {
                return unexpected(outcome);
            }
            var value = expected.get("value");
            if (value != null && !value.asString().equalsIgnoreCase(String.valueOf(outcome.value()))) {
                return Verdict.failed("expected " + value.asString() + ", got " + outcome.value());
            }
            return Verdict.PASSED;
        }

        private static Verdict unexpected(StepOutcome outcome) {
            return Verdict.failed("unexpected " + outcome.errno());
        }

        /** An {@code expect} step: the violations so far (kind, outcome, count), or none, and the taints. */
        private Verdict expectState(Step step) {
            var problems = new ArrayList<String>();
            var violations = kernel.sanitizer().violations();
            if (step.arg("none").map(JsonNode::asBoolean).orElse(false) && !violations.isEmpty()) {
                problems.add("expected no violations, found " + violations.stream()
                        .map(v -> v.kind().wireName() + "/" + lower(v.outcome())).toList());
            }
            step.arg("violations").ifPresent(list -> list.forEach(wanted -> {
                var kind = step.violationKind(wanted.get("kind"), "violation kind");
                String outcome = wanted.has("outcome") ? wanted.get("outcome").asString() : null;
                long count = violations.stream()
                        .filter(v -> v.kind() == kind)
                        .filter(v -> outcome == null || lower(v.outcome()).equals(outcome))
                        .mapToLong(v -> v.count()).sum();
                boolean ok = wanted.has("count") ? count == wanted.get("count").asLong() : count > 0;
                if (!ok) {
                    problems.add(kind.wireName() + (outcome == null ? "" : "/" + outcome) + ": expected "
                            + (wanted.has("count") ? wanted.get("count").asLong() : "at least 1") + ", found " + count);
                }
            }));
            step.arg("taints").ifPresent(list -> {
                var wanted = new ArrayList<String>();
                list.forEach(taint -> wanted.add(step.violationKind(taint, "taint").wireName()));
                var actual = kernel.sanitizer().taints().stream().map(ViolationKind::wireName).sorted().toList();
                if (!wanted.stream().sorted().toList().equals(actual)) {
                    problems.add("expected taints " + wanted + ", found " + actual);
                }
            });
            return problems.isEmpty() ? Verdict.PASSED : Verdict.failed(String.join("; ", problems));
        }

        // --- arguments ------------------------------------------------------------------------------

        private static PciAddress device(Step step) {
            return PciAddress.parse(step.text("device"));
        }

        private static int offset(Step step) {
            long offset = step.optNumberText("offset").orElseThrow(() -> step.fail(step.op() + " needs 'offset'"));
            if (offset < 0 || offset > Integer.MAX_VALUE) {
                throw KernelException.of(Errno.EINVAL, "offset " + offset + " is outside BAR0");
            }
            return (int) offset;
        }

        private static int value(Step step) {
            long value = step.optNumberText("value").orElseThrow(() -> step.fail(step.op() + " needs 'value'"));
            if (value < 0 || value > 0xffff_ffffL) {
                throw KernelException.of(Errno.EINVAL, "value " + value + " does not fit in 32 bits");
            }
            return (int) value;
        }

        private int file(Step step) {
            String alias = step.text("file");
            var fd = files.get(alias);
            if (fd == null) {
                throw step.fail("no file was opened as '" + alias + "' (the step that opens it failed)");
            }
            return fd;
        }

        private DriverTimer timer(Step step, String alias) {
            var timer = timers.get(alias);
            if (timer == null) {
                throw step.fail("no timer was armed as '" + alias + "' (the step that arms it failed)");
            }
            return timer;
        }

        private DriverWork work(Step step, String alias) {
            var work = works.get(alias);
            if (work == null) {
                throw step.fail("no work was queued as '" + alias + "' (the step that queues it failed)");
            }
            return work;
        }

        private static Faults faults(Step step) {
            var node = step.arg("faults").orElseThrow();
            var probe = node.get("probeFailure");
            return Faults.where(fault -> node.path(fault.word()).asBoolean(false),
                    probe == null || probe.isNull() ? Optional.empty()
                            : Optional.of(Errno.valueOf(probe.asString().trim().toUpperCase(Locale.ROOT))));
        }

        private static String hex(int value) {
            return String.format("0x%08x", value);
        }

        private static String lower(Enum<?> value) {
            return value.name().toLowerCase(Locale.ROOT);
        }

        // --- the result -----------------------------------------------------------------------------

        private ScenarioResult result() {
            var events = kernel.log().since(0, Integer.MAX_VALUE).stream()
                    .map(e -> new ScenarioResult.Event(e.seq(), e.clockNs(), e.device(), e.object(), e.type(), e.message()))
                    .toList();
            var violations = kernel.sanitizer().violations().stream()
                    .map(v -> new ScenarioResult.Violation(v.kind().wireName(), lower(v.outcome()), v.device(), v.object(),
                            v.generation(), v.count(), v.firstSeenNs(), v.lastSeenNs(), v.message(),
                            v.timeline().stream().map(e -> e.seq()).toList()))
                    .toList();
            var result = new ScenarioResult(scenario.name(), scenario.seed(),
                    lower(policy.orElse(Policy.REVOCABLE)), failed == 0, passed, failed,
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
