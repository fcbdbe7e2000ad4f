package dev.novahost.scenario;

import dev.novahost.kernel.hungtask.HungTaskDetector;
import dev.novahost.kernel.novacore.CallbackHold;
import dev.novahost.kernel.task.Breakpoints;
import dev.novahost.kernel.task.WatchedCpu;
import dev.novahost.kernel.timer.TimerEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The interleaving scheduler of one scenario run: the simulated CPUs that hold callbacks in flight, the
 * steps that run beside them and may wait for them, and the parking that keeps their order fixed.
 *
 * <p>{@link #start} holds a timer or work callback in flight on a CPU of its own (a thread that runs the
 * timer engine up to the callback's deadline). While one is in flight, {@link #runAside} runs each step
 * on a CPU of its own: a step that has to wait for the callback, such as an unbind whose remove() cancels
 * that timer, is left blocked exactly where the kernel would block. {@link #finish} lets the callback
 * end; then, in this order, the steps that waited for it complete, and whatever fell due on its CPU
 * meanwhile (work the callback queued) runs there. {@link #finishAll} finishes the rest in the order
 * they started.
 *
 * <p>Why the order is fixed: at any moment at most one thread makes progress. Every other one is
 * parked where the scenario put it: the held callback in its {@link CallbackHold}, a blocked step where
 * the kernel made it wait, and the in-flight CPU, once its callback has returned, on a {@link Parking}
 * entry queued ahead of everything else, until the steps that waited have completed. Without that
 * parking the CPU would run the next entries due (the work its callback queued) at the same time as the
 * unbind the callback let go, and which of the two came first would be luck.
 *
 * <p>A callback that, once let go, sleeps in a leaf wait of the model for good (a contended
 * {@code &nd->lock} whose holder waits for that very callback, a work function waiting for itself) is
 * deadlocked, and {@link #finish} says so instead of waiting: it is recognised, not guessed, as the
 * hung-task detector's new entry while its CPU sleeps (nova-core's stuck waits register there before
 * they sleep, and nothing else runs meanwhile to sleep or to register). It stays parked, and the steps
 * that waited for it stay blocked; the run goes on, every later step on a CPU of its own (it may wait
 * behind the deadlock too), so {@code advance} runs the engine and the hung-task check fires on virtual
 * time. The CPUs are marked {@link WatchedCpu}, so that on virtual time such a wait blocks there rather
 * than being abandoned, as it is on the run's own thread, which nothing watches. At the end
 * {@link #breakDeadlocks} parks each deadlocked CPU's return, has the host break every stuck wait, then
 * completes the blocked steps in the order they blocked, then lets the CPUs go.
 *
 * <p>A teardown held at a point ({@link #runHeld}, a step's {@code pauseAt}) is one more thread parked
 * where the scenario put it: in its {@link Breakpoints.Hold}, reached on its own CPU before the step the
 * point names, so nothing of that step has run. While it is held the steps after it run aside, as beside a
 * callback in flight, and a step that begins to wait then waits for it (a bind behind the unbind's device
 * lock). {@link #resume} lets it go and, before anything else runs, waits until it has ended, is held at
 * the next point (armed before the release, so it cannot run past it), or sleeps in a wait of the model (a
 * callback in flight it must wait for): again one thread, or none, makes progress. A teardown that waits
 * for a callback on its way to its point is a blocked step until that callback finishes, and then is held
 * there. At most one teardown is held at a time, and the end of the run lets it go, before the callbacks
 * still in flight finish, so that no CPU stays parked in a hold.
 *
 * <p>Two limits keep that true. A step may begin to wait only while one callback is in flight or one
 * teardown held: with two, which finish or resume lets it go could not be told, and the scenario is refused
 * at that step. And steps that wait for the same callback or held teardown wake together when it ends; if
 * they do not then wait for each other (a lock, the device), the order of their events is the scheduler's.
 * A step that waits behind a held teardown is not looked at when a resume holds it again (what it waits
 * for, the device lock, the teardown still holds); when the teardown waits for a callback instead, the
 * step waits for that callback too, settled after the teardown.
 *
 * <p>One class over ~700 lines on purpose: the parking, the step CPUs, the waits, the held teardown and
 * the deadlocks keep one ordering argument together, the one above (the end of a deadlock reuses the
 * parking of a finish, a resume the settling of one); a third of it is that argument. Deadlock
 * recognition relies on the hung-task detector being on, as it is in every scenario's kernel (its default
 * timeout); with it off a deadlock would wait out the patience.
 *
 * <p>Thread-safety: confined to the run's thread, which alone calls every method here and alone reads
 * the maps of callbacks in flight and blocked steps. The CPUs are threads it starts; it hands over to
 * them and back only through happens-before edges: {@link Thread#start}, {@link Thread#join} (a step's
 * outcome is read only after its thread has ended), the {@link CountDownLatch}es of a {@link Parking},
 * of a {@link CallbackHold} and of a {@link Breakpoints.Hold}, and a step's volatile begun/ended flags.
 * The run's thread waits for a CPU by spinning on those flags and on thread states, in real time, at most
 * {@link #PATIENCE_NS} and never past the run's wall-time budget ({@link BudgetMeter#checkWallTime}).
 */
final class SimulatedCpus implements AutoCloseable {

    /** How long (real time) a held callback may take to start or end, or a step to block or finish. */
    private static final long PATIENCE_NS = TimeUnit.SECONDS.toNanos(10);

    /** A step that waited for a callback and has now completed, with how it ended. */
    record Completed(Step step, StepOutcome outcome) { }

    /** A callback held in flight, and the CPU that runs it. */
    private record InFlight(String alias, CallbackHold hold, Thread cpu) { }

    /**
     * A step waiting on its own CPU, what lets it go (the alias of the callback in flight, or the
     * {@link HeldTeardown}), and what it is parked on.
     */
    private record Blocked(StepCpu cpu, Object waitsFor, Object blocker) { }

    /** How a {@code resume} ended: the steps that completed, and what the teardown let go does now. */
    record Resumed(List<Completed> completed, String now) { }

    /** How a {@code finish-callback} ended: the steps that completed, or the deadlock its callback went into. */
    record Finished(List<Completed> completed, Optional<String> deadlock) { }

    private final TimerEngine engine;
    private final BudgetMeter meter;
    private final HungTaskDetector hungTasks;
    private final Map<String, InFlight> inFlight = new LinkedHashMap<>();
    /** Callbacks let go that sleep in a leaf wait for good: they end only when the host breaks the wait. */
    private final Map<String, InFlight> deadlocked = new LinkedHashMap<>();
    private final List<Blocked> blocked = new ArrayList<>();
    /** The one teardown held at a point, or on its way to its point behind a callback; null when none. */
    private HeldTeardown held;

    SimulatedCpus(TimerEngine engine, BudgetMeter meter, HungTaskDetector hungTasks) {
        this.engine = engine;
        this.meter = meter;
        this.hungTasks = hungTasks;
    }

    /**
     * No callback in flight nor deadlocked, no teardown held: a step may run on the run's own thread, it
     * cannot wait for good.
     */
    boolean idle() {
        return inFlight.isEmpty() && deadlocked.isEmpty() && held == null;
    }

    /** In flight, or deadlocked: no other callback of it can start. */
    boolean inFlight(String alias) {
        return inFlight.containsKey(alias) || deadlocked.containsKey(alias);
    }

    /**
     * Runs a step on a CPU of its own, beside the callback in flight: its outcome if it ended, or none
     * if it waits (it completes in the {@link #finish} that lets it go).
     */
    Optional<StepOutcome> runAside(Step step, Supplier<StepOutcome> body) {
        var cpu = new StepCpu(step, body);
        awaitTrue(cpu::endedOrWaiting, step.index(), "step " + step.index() + " neither completed nor began to wait");
        if (cpu.ended()) {
            return Optional.of(cpu.outcome(meter));
        }
        blocked.add(new Blocked(cpu, theOneInFlight(step, step.index()), cpu.blocker()));
        return Optional.empty();
    }

    /**
     * Runs a teardown step on a CPU of its own until it is held at {@code point} of {@code breakpoints}
     * (none: it completes in the {@code resume} that lets it go, or at the end), or waits for the callback
     * in flight on its way there (it goes on to the point when that callback finishes). One that ends
     * without reaching the point is refused, and so is a second teardown held while one is.
     */
    void runHeld(Step step, Supplier<StepOutcome> body, Breakpoints breakpoints, String point) {
        if (held != null) {
            throw step.fail("one teardown is held at a time, and " + held + (held.isHeld() ? " is held"
                    : " is on its way to " + held.hold.point()) + ": resume it first");
        }
        var hold = breakpoints.holdAt(point);
        var cpu = new StepCpu(step, body);
        awaitTrue(() -> hold.isEntered() || cpu.endedOrWaiting(), step.index(),
                "step " + step.index() + " neither reached " + point + " nor completed nor began to wait");
        var teardown = new HeldTeardown(cpu, hold);
        if (hold.isEntered()) {
            hold(teardown, step.index());
        } else if (cpu.ended()) {
            throw notReached(step, point, cpu.outcome(meter));
        } else {
            blocked.add(new Blocked(cpu, theOneInFlight(step, step.index()), cpu.blocker()));
            held = teardown;
        }
    }

    /**
     * Lets the held teardown go on from its point, to {@code next} if given: it completes, is held
     * again there, or waits for the callback in flight; the steps that waited behind it settle as after
     * a {@link #finish}.
     */
    Resumed resume(Step step, Breakpoints breakpoints, Optional<String> next) {
        heldOwner(step);
        if (!held.isHeld()) {
            throw step.fail(held + " is not held yet: it waits for " + waitsFor(held.cpu) + " on its way to "
                    + held.hold.point() + "; finish that callback first");
        }
        var teardown = held;
        var from = teardown.hold.point();
        var nextHold = next.map(breakpoints::holdAt);
        held = null;
        teardown.hold.release();
        awaitTrue(() -> nextHold.filter(Breakpoints.Hold::isEntered).isPresent()
                        || teardown.cpu.endedOrWaitingOnOtherThan(teardown.parkedOn), step.index(),
                teardown + " did not go on from " + from);
        var now = goneOn(teardown, nextHold, step.index());
        if (nextHold.isPresent() && teardown.cpu.ended()) {
            throw notReached(step, nextHold.get().point(), teardown.cpu.outcome(meter));
        }
        return new Resumed(settleLetGo(teardown, step.index()), teardown + " let go at " + from + "; " + now);
    }

    /** Whose points the held teardown names without an owner; refused when no teardown is held. */
    String heldOwner(Step resume) {
        if (held == null) {
            throw resume.fail("no teardown is held: resume follows a step with a pauseAt that reached its point");
        }
        return ((HoldSteps.Holdable) held.cpu.step).owner();
    }

    /**
     * At the end of the run, before {@link #finishAll}: the held teardown goes on without holding again
     * (its pending point, if it has not reached it yet, lets it pass), and completes, or waits for a
     * callback still in flight, which finishes next.
     */
    List<Completed> letGoHeld(int step) {
        if (held == null) {
            return List.of();
        }
        var teardown = held;
        held = null;
        teardown.hold.release();
        if (!teardown.isHeld()) {
            return List.of(); // it waits in the blocked list, and passes its point once its callback has finished
        }
        awaitTrue(() -> teardown.cpu.endedOrWaitingOnOtherThan(teardown.parkedOn), step,
                teardown + " did not go on at the end of the run");
        goneOn(teardown, Optional.empty(), step);
        return settleLetGo(teardown, step);
    }

    /**
     * Where the teardown let go is now: held again at {@code next}, ended, or waiting for the callback in
     * flight (then with the steps that waited behind it, ahead of them, and holding at {@code next} once
     * that callback has let it go).
     */
    private String goneOn(HeldTeardown teardown, Optional<Breakpoints.Hold> next, int step) {
        if (next.filter(Breakpoints.Hold::isEntered).isPresent()) {
            teardown.hold = next.get();
            hold(teardown, step);
            return "held at " + next.get().point();
        }
        if (teardown.cpu.ended()) {
            return "completed";
        }
        var waitsFor = theOneInFlight(teardown.cpu.step, step);
        int behind = 0;
        while (behind < blocked.size() && blocked.get(behind).waitsFor() != teardown) {
            behind++;
        }
        blocked.add(behind, new Blocked(teardown.cpu, waitsFor, teardown.cpu.blocker()));
        blocked.replaceAll(waiting -> waiting.waitsFor() == teardown
                ? new Blocked(waiting.cpu(), waitsFor, waiting.blocker()) : waiting);
        next.ifPresent(pending -> {
            teardown.hold = pending;
            held = teardown;
        });
        return "it waits for " + waitsFor;
    }

    /**
     * The teardown let go, if it ended, then the steps that waited behind it, as after a {@link #finish}.
     * Held again, or waiting for a callback, it still holds what they wait for: they are not looked at.
     */
    private List<Completed> settleLetGo(HeldTeardown teardown, int step) {
        if (!teardown.cpu.ended()) {
            return List.of();
        }
        var completed = new ArrayList<Completed>();
        completed.add(new Completed(teardown.cpu.step, teardown.cpu.outcome(meter)));
        completed.addAll(settleBlocked(teardown, step));
        return completed;
    }

    /** The teardown is held at its hold's point, parked there (so that its going on can be told). */
    private void hold(HeldTeardown teardown, int step) {
        awaitTrue(teardown.cpu::parked, step, teardown + " did not stop at " + teardown.hold.point());
        teardown.parkedOn = teardown.cpu.blocker();
        teardown.cpu.heldAt.add(teardown.hold.point());
        held = teardown;
    }

    private static ScenarioException notReached(Step step, String point, StepOutcome outcome) {
        return step.fail("the teardown ended without reaching " + point + (outcome.succeeded() ? ""
                : " (it failed with " + outcome.errno() + ": " + outcome.value() + ")")
                + "; a point is the step about to run, as the kernel names it: devres:<entry>, remove:<step>,"
                + " module_exit, module_free");
    }

    private Object waitsFor(StepCpu cpu) {
        return blocked.stream().filter(waiting -> waiting.cpu() == cpu).findFirst().map(Blocked::waitsFor).orElseThrow();
    }

    /**
     * Holds a callback in flight: a CPU runs the engine up to {@code until}, where the callback enters
     * its hold. The step is refused if the callback does not run by then.
     */
    void start(Step step, String alias, CallbackHold hold, long until) {
        var cpu = Thread.ofPlatform().daemon().name("scenario-cpu-" + alias).start(() -> {
            WatchedCpu.markThisThread();
            runUpTo(until);
        });
        awaitTrue(() -> entered(hold) || cpu.getState() == Thread.State.TERMINATED, step.index(),
                alias + "'s callback did not start: the CPU running up to it is stuck");
        if (!entered(hold)) {
            throw step.fail(alias + "'s callback did not run by " + until + " ns: a timer must be armed for then,"
                    + " a work item queued (not delayed, not running), an interrupt not already pending");
        }
        inFlight.put(alias, new InFlight(alias, hold, cpu));
    }

    /**
     * Lets the callback of {@code alias} end: the steps that waited for it and completed, in the order
     * they blocked, or the deadlock it went into instead of returning.
     */
    Finished finish(Step step, String alias) {
        var running = inFlight.remove(alias);
        if (running == null) {
            throw step.fail(alias + (deadlocked.containsKey(alias)
                    ? "'s callback is deadlocked: it ends with the run, when the host breaks its wait"
                    : " has no callback in flight"));
        }
        return finish(running, step.index());
    }

    /**
     * Lets every callback still in flight end, in the order they started; {@code step} names the last
     * step. One that deadlocks instead ends in {@link #breakDeadlocks}.
     */
    List<Completed> finishAll(int step) {
        var completed = new ArrayList<Completed>();
        while (!inFlight.isEmpty()) {
            completed.addAll(finish(inFlight.remove(inFlight.keySet().iterator().next()), step).completed());
        }
        return completed;
    }

    /**
     * At the end of the run, after {@link #finishAll}: every deadlocked callback's CPU gets a parking
     * entry, {@code breakStuckWaits} (the host's shutdown) makes every stuck wait give up, each such
     * callback returns and parks, then the steps still blocked complete, in the order they blocked, and
     * last the CPUs run on and end. With one deadlocked callback that order is fixed; with several their
     * returns race each other, as the host's break wakes them all at once.
     */
    List<Completed> breakDeadlocks(int step, Runnable breakStuckWaits) {
        if (deadlocked.isEmpty()) {
            return List.of();
        }
        var parkings = deadlocked.values().stream().map(stuck -> new Parking(stuck.cpu())).toList();
        parkings.forEach(parking -> engine.schedule(parking, Long.MIN_VALUE));
        var completed = new ArrayList<Completed>();
        try {
            breakStuckWaits.run();
            for (var parking : parkings) {
                awaitTrue(() -> parking.isParked() || parking.cpu.getState() == Thread.State.TERMINATED, step,
                        "a deadlocked callback did not return when the host broke its wait");
            }
            for (var waiting : blocked) {
                completed.add(new Completed(waiting.cpu().step, waiting.cpu().outcome(meter)));
            }
            blocked.clear();
        } finally {
            parkings.forEach(parking -> {
                parking.resume();
                engine.cancel(parking);
            });
        }
        for (var stuck : deadlocked.values()) {
            join(stuck.cpu(), step, "the CPU that ran " + stuck.alias() + " did not end after its wait was broken", meter);
        }
        deadlocked.clear();
        return completed;
    }

    /**
     * A run that ended early (a bad step) lets go of what it holds, so that no thread stays parked; what
     * is deadlocked ends when the kernel closes after this and breaks its stuck waits.
     */
    @Override
    public void close() {
        inFlight.values().forEach(running -> running.hold().release());
        if (held != null) {
            held.hold.release();
        }
    }

    /**
     * Lets the callback end and parks its CPU right after; the steps that waited for it complete (or
     * wait again, for another callback in flight); then the CPU runs what fell due meanwhile. A callback
     * that sleeps in a leaf wait instead is deadlocked: it and the steps that wait for it stay where they
     * are, and the answer names the wait and its holder.
     */
    private Finished finish(InFlight running, int step) {
        var parking = new Parking(running.cpu());
        engine.schedule(parking, Long.MIN_VALUE);
        Set<HungTaskDetector.Blocked> waitsBefore = Collections.newSetFromMap(new IdentityHashMap<>());
        waitsBefore.addAll(hungTasks.blocked());
        var stuck = new AtomicReference<HungTaskDetector.Blocked>();
        List<Completed> completed;
        try {
            running.hold().release();
            awaitTrue(() -> parking.isParked() || running.cpu().getState() == Thread.State.TERMINATED
                            || sleepsInNewWait(running.cpu(), waitsBefore, stuck), step,
                    running.alias() + "'s callback did not return: does it wait for a step that waits for it?");
            completed = stuck.get() == null ? settleBlocked(running.alias(), step) : List.of();
        } finally {
            parking.resume();
            engine.cancel(parking);
        }
        var wait = stuck.get();
        if (wait != null) {
            deadlocked.put(running.alias(), running);
            return new Finished(completed, Optional.of(running.alias() + " is blocked on " + wait.waitingFor()
                    + " held by " + wait.holder() + ": deadlock"));
        }
        join(running.cpu(), step, "the CPU that ran " + running.alias() + " did not finish what fell due", meter);
        return new Finished(completed, Optional.empty());
    }

    /**
     * Whether the CPU sleeps in a leaf wait of the model that began after {@code before}: a new entry of
     * the hung-task detector (registered before the wait sleeps, gone when it ends) while the CPU is
     * {@code WAITING} in a monitor's {@code wait()} (no park blocker: not the engine's lock, not a
     * parking), and still there after its state was read, so that it sleeps in it rather than is on its
     * way in or out. Only the CPU let go runs meanwhile, so a new entry is its own.
     */
    private boolean sleepsInNewWait(Thread cpu, Set<HungTaskDetector.Blocked> before,
                                    AtomicReference<HungTaskDetector.Blocked> found) {
        var fresh = hungTasks.blocked().stream().filter(wait -> !before.contains(wait)).findFirst();
        if (fresh.isEmpty() || cpu.getState() != Thread.State.WAITING || LockSupport.getBlocker(cpu) != null) {
            return false;
        }
        var wait = fresh.get();
        if (hungTasks.blocked().stream().noneMatch(now -> now == wait)) {
            return false;
        }
        found.set(wait);
        return true;
    }

    /**
     * With nothing left in flight nor held every blocked step completes, in the order they blocked. With
     * other callbacks still in flight, or a teardown held, a step that waited for this one completes now,
     * or waits again; a teardown on its way to its point is held there now, or waits again.
     */
    private List<Completed> settleBlocked(Object finished, int step) {
        var completed = new ArrayList<Completed>();
        for (var waiting = blocked.listIterator(); waiting.hasNext(); ) {
            var blockedStep = waiting.next();
            boolean onItsWay = held != null && held.cpu == blockedStep.cpu();
            boolean nothingLeft = inFlight.isEmpty() && (held == null || onItsWay)
                    && !deadlocked.containsKey(blockedStep.waitsFor());
            if (nothingLeft && !onItsWay) {
                waiting.remove();
                completed.add(new Completed(blockedStep.cpu().step, blockedStep.cpu().outcome(meter)));
            } else if (blockedStep.waitsFor().equals(finished) || nothingLeft) {
                awaitWokenAndSettled(blockedStep);
                if (blockedStep.cpu().ended()) {
                    waiting.remove();
                    if (onItsWay) {
                        throw notReached(blockedStep.cpu().step, held.hold.point(), blockedStep.cpu().outcome(meter));
                    }
                    completed.add(new Completed(blockedStep.cpu().step, blockedStep.cpu().outcome(meter)));
                } else if (onItsWay && held.hold.isEntered()) {
                    waiting.remove();
                    hold(held, step);
                } else {
                    waiting.set(new Blocked(blockedStep.cpu(), theOneInFlight(blockedStep.cpu().step, step),
                            blockedStep.cpu().blocker()));
                }
            }
        }
        return completed;
    }

    /**
     * What a step that waits now waits for: the callback in flight, or the teardown held. With several
     * the runner could not tell which finish-callback or resume lets it go, nor keep the order fixed, so
     * that scenario is refused. With none it waits behind a deadlocked callback (its wait, or what that
     * wait holds): until the run's end.
     */
    private Object theOneInFlight(Step waiting, int step) {
        var candidates = new ArrayList<Object>(inFlight.keySet());
        if (held != null && held.isHeld() && held.cpu.step != waiting) {
            candidates.add(held);
        }
        if (candidates.isEmpty() && !deadlocked.isEmpty()) {
            return deadlocked.keySet().iterator().next();
        }
        if (candidates.size() == 1) {
            return candidates.getFirst();
        }
        String what = candidates.isEmpty() ? "nothing is in flight or held that could let it go: it waits for a step"
                + " that waits for it, a deadlock between steps whose end the run cannot order"
                : held != null && held.isHeld() ? candidates + " are in flight or held, and which finish-callback"
                        + " or resume lets it go cannot be told; have one callback in flight or one teardown held"
                        + " when a step begins to wait"
                : candidates + " are in flight, and which finish-callback lets it go cannot be told;"
                        + " have one callback in flight when a step begins to wait (start the others after it)";
        throw new ScenarioException(step, "step " + waiting.index() + " (" + waiting.op() + ") waits while " + what);
    }

    /**
     * Waits until a step whose callback just finished has ended or waits on something else (another
     * callback in flight). One that still waits where it did after the patience has run out waits for
     * another step, not for the callback (a bind behind an unbind that now waits again).
     */
    private void awaitWokenAndSettled(Blocked waiting) {
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
     * A teardown step held at a point ({@code pauseAt}), or on its way there behind a callback in flight:
     * its CPU, the hold it waits in (or will), and, once held, what it is parked on there.
     */
    private static final class HeldTeardown {

        private final StepCpu cpu;
        private Breakpoints.Hold hold;
        private Object parkedOn;

        HeldTeardown(StepCpu cpu, Breakpoints.Hold hold) {
            this.cpu = cpu;
            this.hold = hold;
        }

        boolean isHeld() {
            return hold.isEntered();
        }

        @Override
        public String toString() {
            var step = cpu.step;
            return "step " + step.index() + " (" + (step instanceof Step.OnKernel teardown ? teardown.task() : step.op()) + ")";
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
        /** The points it was held at, in order (a teardown with a {@code pauseAt}); its outcome says so. */
        private final List<String> heldAt = new ArrayList<>();
        private volatile boolean begun;
        private volatile boolean ended;
        private StepOutcome outcome;
        private Throwable failure;

        StepCpu(Step step, Supplier<StepOutcome> body) {
            this.step = step;
            this.thread = Thread.ofPlatform().daemon().name("scenario-step-" + step.index()).start(() -> {
                WatchedCpu.markThisThread();
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

        /** Parked inside the step, on something a blocker names (a hold's latch, a lock): not on its way in. */
        boolean parked() {
            boolean inside = begun;
            var state = thread.getState();
            return inside && isParked(state) && LockSupport.getBlocker(thread) != null;
        }

        Object blocker() {
            return LockSupport.getBlocker(thread);
        }

        /** The step's outcome once its thread has ended; what it threw is thrown here. */
        StepOutcome outcome(BudgetMeter meter) {
            join(thread, step.index(), "step " + step.index() + " (" + step.op() + ") did not complete", meter);
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return heldAt.isEmpty() ? outcome : outcome.heldAt(heldAt);
        }

        private static boolean isParked(Thread.State state) {
            return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED;
        }
    }

    // --- waiting, in real time, for the simulated CPUs ----------------------------------------------------

    /**
     * Spins until the condition holds; a scenario that is stuck this long is refused at {@code step}, and
     * one whose wall time runs out meanwhile ends in the overrun.
     */
    private void awaitTrue(BooleanSupplier condition, int step, String stuck) {
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
            if (!thread.join(Duration.ofNanos(Math.min(PATIENCE_NS, meter.nanosLeft())))) {
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
