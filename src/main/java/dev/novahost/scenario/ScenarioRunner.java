package dev.novahost.scenario;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Kernel;
import dev.novahost.kernel.KernelConfig;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Tracepoints;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.CallbackHold;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.DriverWork;
import dev.novahost.kernel.novacore.Faults;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.timer.TimerEngine;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * Runs a scenario in a fresh kernel on virtual time, never touching the live host. Time moves only in
 * {@code advance} steps, and every callback due runs in deadline order on the runner's thread.
 *
 * <p>Interleavings are explicit. {@code start-callback} lets a timer or work callback begin and holds it
 * in flight on a second simulated CPU (a thread that runs the timer engine up to the callback's deadline).
 * The steps after it run while it is in flight, each on a CPU of its own: a step that has to wait for it,
 * such as an unbind whose remove() cancels that timer, is left blocked exactly where the kernel would
 * block, and the scenario goes on. {@code finish-callback} lets the callback end; then, in this order,
 * the steps that waited for it complete, and whatever fell due on its CPU meanwhile (work the callback
 * queued) runs there. Callbacks still in flight at the end are finished in the order they started.
 *
 * <p>Why the order is fixed: at any moment at most one thread makes progress. Every other one is
 * parked where the scenario put it: the held callback in its {@link CallbackHold}, a blocked step where
 * the kernel made it wait, and the in-flight CPU, once its callback has returned, on a {@link Parking}
 * entry queued ahead of everything else, until the steps that waited have completed. Without that
 * parking the CPU would run the next entries due (the work its callback queued) at the same time as the
 * unbind the callback let go, and which of the two came first would be luck.
 *
 * <p>Two limits keep that true. A step may begin to wait only while one callback is in flight: with
 * two, which finish-callback lets it go could not be told, and the scenario is refused at that step.
 * And steps that wait for the same callback wake together when it ends; if they do not then wait for
 * each other (a lock, the device), the order of their events is the scheduler's. Block one step per
 * callback, or let the later one wait for the earlier (a bind behind an unbind of the same device).
 *
 * <p>Every request (a run, or a comparison's runs together) is held to a {@link ScenarioBudget}: a
 * {@link BudgetMeter} counts its events as the kernel writes them and looks at its wall time on every
 * event and step, and going over halts the run's timer engine, so no input runs without end; the
 * request ends in a {@link ScenarioOverrun} that names the budget. At most {@link RunSlots} requests
 * run at once; past them {@link RunSlots.Busy} at once.
 *
 * <p>Thread-safety: a runner keeps no state of its own runs and may run scenarios on several threads at
 * once (as many as its slots); each run has its own kernel, threads and meter.
 */
public final class ScenarioRunner {

    /** How long (real time) a held callback may take to start or end, or a step to block or finish. */
    private static final long PATIENCE_NS = TimeUnit.SECONDS.toNanos(10);

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

    /** A callback held in flight, and the CPU that runs it. */
    private record InFlight(String alias, CallbackHold hold, Thread cpu) { }

    /** A step waiting on its own CPU, the callback in flight that lets it go, and what it is parked on. */
    private record Blocked(StepCpu cpu, String waitsFor, Object blocker) { }

    /** How a step ended: a value, or an errno. */
    private record Outcome(String value, Errno errno) { }

    /**
     * Queued at the head of the engine when a callback is let go: the CPU that ran the callback takes it
     * next and parks on it until the runner resumes it. Taken by any other thread (a step that flushes
     * work runs the engine too) it does nothing.
     */
    private static final class Parking extends TimerEngine.Entry {

        private final Thread cpu;
        private final CountDownLatch parked = new CountDownLatch(1);
        private final CountDownLatch resumed = new CountDownLatch(1);

        Parking(Thread cpu) {
            this.cpu = cpu;
        }

        @Override
        protected void expire() {
            if (Thread.currentThread() == cpu) {
                parked.countDown();
                awaitUninterruptibly(resumed);
            }
        }

        boolean isParked() {
            return parked.getCount() == 0;
        }

        void resume() {
            resumed.countDown();
        }
    }

    /**
     * A step run on a simulated CPU of its own, because a callback is in flight and it may wait for it.
     * The step says itself when it has begun and ended: a thread's state alone cannot tell a step that
     * waits from a thread on its way out (the JVM shows an exiting thread as BLOCKED for a moment).
     */
    private static final class StepCpu {

        private final Step step;
        private final Thread thread;
        private volatile boolean begun;
        private volatile boolean ended;
        private Outcome outcome;
        private Throwable failure;

        StepCpu(Step step, Supplier<Outcome> body) {
            this.step = step;
            this.thread = Thread.ofPlatform().daemon().name("scenario-step-" + step.index()).start(() -> {
                begun = true;
                try {
                    outcome = body.get();
                } catch (RuntimeException | Error e) {
                    failure = e;
                } finally {
                    ended = true;
                }
            });
        }

        /** Ended, or waits inside the step (read in this order, so that an ending step is never taken as waiting). */
        boolean endedOrWaiting() {
            boolean inside = begun;
            var state = thread.getState();
            return ended || inside && isParked(state);
        }

        /** Ended, or waits on something else than {@code blocker}. */
        boolean endedOrWaitingOnOtherThan(Object blocker) {
            boolean inside = begun;
            var state = thread.getState();
            var now = LockSupport.getBlocker(thread);
            return ended || inside && isParked(state) && now != blocker;
        }

        boolean ended() {
            return ended;
        }

        Object blocker() {
            return LockSupport.getBlocker(thread);
        }

        /** The step's outcome once its thread has ended; what it threw is thrown here. */
        Outcome outcome(BudgetMeter meter) {
            join(thread, step.index(), "step " + step.index() + " (" + step.op() + ") did not complete", meter);
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return outcome;
        }

        private static boolean isParked(Thread.State state) {
            return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED;
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
        private final Map<String, InFlight> inFlight = new LinkedHashMap<>();
        private final List<Blocked> blocked = new ArrayList<>();
        private final ScenarioResult.StepResult[] results;
        private int passed;
        private int failed;
        /** The step being run: a blocked step that completes now was let go by it. */
        private int current;

        Run(Scenario scenario, Optional<Policy> policy, BudgetMeter meter) {
            this.scenario = scenario;
            this.policy = policy;
            this.meter = meter;
            this.kernel = new Kernel(new KernelConfig(256, false, 1, meter.maxEvents()), engine, Tracepoints.NONE);
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
                    case "start-callback" -> record(step, attempt(() -> startCallback(step)));
                    case "finish-callback" -> record(step, attempt(() -> finishCallback(step)));
                    case "expect" -> record(step, new Outcome(expectState(step), null));
                    default -> perform(step);
                }
            }
            current = scenario.steps().size();
            meter.atStep(current);
            while (!inFlight.isEmpty()) {
                finish(inFlight.remove(inFlight.keySet().iterator().next()), current - 1);
            }
            meter.atStep(current);
            return result();
        }

        // --- interleavings ------------------------------------------------------------------------------

        /** Runs a step here, or, while a callback is in flight, on a CPU of its own in case it has to wait. */
        private void perform(Step step) {
            if (inFlight.isEmpty()) {
                record(step, attempt(() -> apply(step)));
                return;
            }
            var cpu = new StepCpu(step, () -> attempt(() -> apply(step)));
            awaitTrue(cpu::endedOrWaiting, step.index(), "step " + step.index() + " neither completed nor began to wait",
                    meter);
            if (cpu.ended()) {
                record(step, cpu.outcome(meter));
            } else {
                blocked.add(new Blocked(cpu, theOneInFlight(step, step.index()), cpu.blocker()));
            }
        }

        private String startCallback(Step step) {
            String alias = step.callbackAlias();
            if (inFlight.containsKey(alias)) {
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
            var cpu = Thread.ofPlatform().daemon().name("scenario-cpu-" + alias).start(() -> runUpTo(until));
            awaitTrue(() -> entered(hold) || cpu.getState() == Thread.State.TERMINATED, step.index(),
                    alias + "'s callback did not start: the CPU running up to it is stuck", meter);
            if (!entered(hold)) {
                throw step.fail(alias + "'s callback did not run by " + until + " ns: a work item must be queued"
                        + " (not delayed, not running) for its callback to start");
            }
            inFlight.put(alias, new InFlight(alias, hold, cpu));
            return alias + " in flight at " + until + " ns";
        }

        private String finishCallback(Step step) {
            String alias = step.callbackAlias();
            var running = inFlight.remove(alias);
            if (running == null) {
                throw step.fail(alias + " has no callback in flight");
            }
            finish(running, step.index());
            return alias + " finished";
        }

        /**
         * Lets the callback end and parks its CPU right after; the steps that waited for it complete (or
         * wait again, for another callback in flight); then the CPU runs what fell due meanwhile.
         */
        private void finish(InFlight running, int step) {
            var parking = new Parking(running.cpu());
            engine.schedule(parking, Long.MIN_VALUE);
            try {
                running.hold().release();
                awaitTrue(() -> parking.isParked() || running.cpu().getState() == Thread.State.TERMINATED, step,
                        running.alias() + "'s callback did not return: does it wait for a step that waits for it?", meter);
                settleBlocked(running.alias(), step);
            } finally {
                parking.resume();
                engine.cancel(parking);
            }
            join(running.cpu(), step, "the CPU that ran " + running.alias() + " did not finish what fell due", meter);
        }

        /**
         * With nothing left in flight every blocked step completes, in the order they blocked. With other
         * callbacks still in flight, a step that waited for this one completes now, or waits again.
         */
        private void settleBlocked(String finished, int step) {
            for (var waiting = blocked.listIterator(); waiting.hasNext(); ) {
                var blockedStep = waiting.next();
                if (inFlight.isEmpty()) {
                    waiting.remove();
                    record(blockedStep.cpu().step, blockedStep.cpu().outcome(meter));
                } else if (blockedStep.waitsFor().equals(finished)) {
                    awaitWokenAndSettled(blockedStep, meter);
                    if (blockedStep.cpu().ended()) {
                        waiting.remove();
                        record(blockedStep.cpu().step, blockedStep.cpu().outcome(meter));
                    } else {
                        waiting.set(new Blocked(blockedStep.cpu(), theOneInFlight(blockedStep.cpu().step, step),
                                blockedStep.cpu().blocker()));
                    }
                }
            }
        }

        /**
         * The callback a step that waits now waits for. With several in flight the runner could not tell
         * which finish-callback lets it go, nor keep the order fixed, so that scenario is refused.
         */
        private String theOneInFlight(Step waiting, int step) {
            if (inFlight.size() > 1) {
                throw new ScenarioException(step, "step " + waiting.index() + " (" + waiting.op() + ") waits while "
                        + inFlight.keySet() + " are in flight, and which finish-callback lets it go cannot be told;"
                        + " have one callback in flight when a step begins to wait (start the others after it)");
            }
            return inFlight.keySet().iterator().next();
        }

        /**
         * Waits until a step whose callback just finished has ended or waits on something else (another
         * callback in flight). One that still waits where it did after the patience has run out waits for
         * another step, not for the callback (a bind behind an unbind that now waits again).
         */
        private static void awaitWokenAndSettled(Blocked waiting, BudgetMeter meter) {
            long deadline = System.nanoTime() + PATIENCE_NS;
            while (!waiting.cpu().endedOrWaitingOnOtherThan(waiting.blocker()) && System.nanoTime() - deadline < 0) {
                meter.checkWallTime();
                Thread.onSpinWait();
            }
        }

        /**
         * A simulated CPU runs the engine up to a callback's deadline, and on after it returns. Halted (the
         * run went over its budget) it just ends: the runner reports the overrun.
         */
        private void runUpTo(long until) {
            try {
                engine.advanceTo(until);
            } catch (TimerEngine.Halted overBudget) {
                // the meter holds the overrun; the runner's thread throws it
            }
        }

        private static boolean entered(CallbackHold hold) {
            try {
                return hold.awaitEntered(0, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
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
                    kernel.novaCoreDriver().cancelTimer(timer(step, step.text("timer")).id());
                    yield null;
                }
                case "queue-work" -> queueWork(step);
                case "cancel-work" -> {
                    kernel.novaCoreDriver().cancelWork(work(step, step.text("work")).id());
                    yield null;
                }
                case "open-file" -> {
                    var file = kernel.openFile(device(step));
                    step.optText("as").ifPresent(alias -> files.put(alias, file.fd()));
                    yield "fd " + file.fd();
                }
                case "close-file" -> {
                    kernel.novaCoreDriver().closeFile(file(step));
                    yield null;
                }
                case "read-mmio" -> hex(kernel.mmio().read(device(step), offset(step)));
                case "write-mmio" -> {
                    kernel.mmio().write(device(step), offset(step), value(step));
                    yield null;
                }
                case "file-read" -> hex(kernel.novaCoreDriver().objects().file(file(step)).read(offset(step)));
                case "file-write" -> {
                    kernel.novaCoreDriver().objects().file(file(step)).write(offset(step), value(step));
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
            var timer = kernel.armTimer(device(step), spec);
            step.optText("as").ifPresent(alias -> timers.put(alias, timer));
            return "timer " + timer.id();
        }

        private String queueWork(Step step) {
            var spec = new DriverWork.Spec(step.optNumber("delayNs").orElse(0L), step.optNumber("requeue").orElse(0L),
                    step.optWord("scope", Scope.class).orElse(Scope.DEVICE),
                    step.optWord("action", Action.class).orElse(Action.NOOP));
            var work = kernel.queueWork(device(step), spec);
            step.optText("as").ifPresent(alias -> works.put(alias, work));
            return "work " + work.id();
        }

        // --- expectations ---------------------------------------------------------------------------

        private void record(Step step, Outcome outcome) {
            String expectation = step.op().equals("expect") ? outcome.value()
                    : step.expect().map(expected -> check(expected, outcome))
                            .orElseGet(() -> outcome.errno() == null ? null : "failed: unexpected " + outcome.errno());
            if (expectation != null) {
                if (expectation.equals("passed")) {
                    passed++;
                } else {
                    failed++;
                }
            }
            results[step.index()] = new ScenarioResult.StepResult(step.index(), step.op(), outcome.errno() == null,
                    outcome.errno() == null ? null : outcome.errno().name(), outcome.value(), expectation,
                    current == step.index() ? null : current);
        }

        private static String check(JsonNode expected, Outcome outcome) {
            var errno = expected.get("errno");
            String got = outcome.errno() == null ? "success" : outcome.errno().name();
            if (errno != null && !got.equalsIgnoreCase(errno.asString().trim())) {
                return "failed: expected " + errno.asString() + ", got " + got;
            }
            if (errno == null && outcome.errno() != null) {
                return "failed: unexpected " + outcome.errno();
            }
            var value = expected.get("value");
            if (value != null && !value.asString().equalsIgnoreCase(String.valueOf(outcome.value()))) {
                return "failed: expected " + value.asString() + ", got " + outcome.value();
            }
            return "passed";
        }

        /** An {@code expect} step: the violations so far (kind, outcome, count), or none, and the taints. */
        private String expectState(Step step) {
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
            return problems.isEmpty() ? "passed" : "failed: " + String.join("; ", problems);
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

        private static Outcome attempt(Supplier<String> action) {
            try {
                return new Outcome(action.get(), null);
            } catch (KernelException failed) {
                return new Outcome(failed.getMessage(), failed.errno());
            }
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
            return result.withDigest(digest(result, meter));
        }

        /**
         * The SHA-256 of the result's canonical JSON, streamed: its bytes are counted against the
         * result-size budget as they are written, so an oversized result is refused before it exists whole.
         */
        private static String digest(ScenarioResult result, BudgetMeter meter) {
            MessageDigest sha256;
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
            var canonical = new OutputStream() {
                @Override
                public void write(int b) {
                    meter.resultWritten(1);
                    sha256.update((byte) b);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) {
                    meter.resultWritten(length);
                    sha256.update(bytes, offset, length);
                }
            };
            Scenario.JSON.writeValue(canonical, result);
            return HexFormat.of().formatHex(sha256.digest());
        }

        /** A run that ended early (a bad step) lets go of what it holds, so that no thread stays parked. */
        @Override
        public void close() {
            inFlight.values().forEach(running -> running.hold().release());
            kernel.close();
        }
    }

    // --- waiting, in real time, for the simulated CPUs ----------------------------------------------------

    /**
     * Spins until the condition holds; a scenario that is stuck this long is refused at {@code step}, and
     * one whose wall time runs out meanwhile ends in the overrun.
     */
    private static void awaitTrue(BooleanSupplier condition, int step, String stuck, BudgetMeter meter) {
        long deadline = System.nanoTime() + PATIENCE_NS;
        while (!condition.getAsBoolean()) {
            meter.checkWallTime();
            if (System.nanoTime() - deadline > 0) {
                throw new ScenarioException(step, stuck + " within " + TimeUnit.NANOSECONDS.toSeconds(PATIENCE_NS) + " s");
            }
            Thread.onSpinWait();
        }
    }

    /** Waits for the thread to end, no longer than the patience nor the wall time left. */
    private static void join(Thread thread, int step, String stuck, BudgetMeter meter) {
        try {
            if (!thread.join(java.time.Duration.ofNanos(Math.min(PATIENCE_NS, meter.nanosLeft())))) {
                meter.checkWallTime();
                throw new ScenarioException(step, stuck + " within " + TimeUnit.NANOSECONDS.toSeconds(PATIENCE_NS) + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScenarioException(step, "interrupted while waiting: " + stuck);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
