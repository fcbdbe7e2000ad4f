package dev.novahost.scenario;

import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one scenario request has spent of its {@link ScenarioBudget}, across its runs (one, or one per
 * policy of a comparison), and the stop when it goes over.
 *
 * <p>The events are counted where they are written: the meter listens to each run's kernel log, so a
 * callback that fires without end is seen on its next event, on whatever simulated CPU it runs, and the
 * wall time is looked at on every event and every step. Going over halts the run's timer engine
 * ({@link TimerEngine#halt}): no further callback is delivered, wherever the engine is being driven
 * (an {@code advance}, a CPU holding a callback, a workqueue drained at unload), and the runner turns
 * what then fails into this overrun.
 *
 * <p>Thread-safety: events are counted from the threads that write them (the runner's and its
 * simulated CPUs'); the first overrun is kept under {@code this} and published through a volatile
 * field. Steps, result bytes and the run being watched change on the runner's thread only.
 */
final class BudgetMeter {

    private final ScenarioBudget budget;
    private final long start = System.nanoTime();
    private final long deadline;
    private final AtomicLong events = new AtomicLong();
    private long resultBytes;
    private volatile int step;
    private volatile VirtualClock clock = new VirtualClock();
    private volatile TimerEngine engine;
    private volatile ScenarioOverrun overrun;

    /** Starts the request's clock; a scenario with more steps than the budget is refused here. */
    BudgetMeter(ScenarioBudget budget, Scenario scenario) {
        this(budget);
        if (scenario.steps().size() > budget.maxSteps()) {
            throw stop(ScenarioBudget.Kind.STEPS);
        }
    }

    /** Starts the clock of a request that is no scenario (a sweep: its runs are its steps). */
    BudgetMeter(ScenarioBudget budget) {
        this.budget = budget;
        this.deadline = start + budget.maxWallTime().toNanos();
    }

    /** How many events a virtual CPU writes between two yields of its carrier. */
    private static final int YIELD_EVERY = 32;

    /** The events a run may write: its kernel log holds that many, so a run within budget loses none. */
    int maxEvents() {
        return budget.maxEvents();
    }

    /** Meters the next run of the request: the events its kernel writes, and its engine to halt. */
    void watch(EventLog log, TimerEngine engine, VirtualClock clock) {
        this.engine = engine;
        this.clock = clock;
        this.step = 0;
        log.subscribe(this::written);
    }

    /**
     * On the thread that wrote the event, right after it was written; quick and never blocks. A simulated
     * CPU is a virtual thread ({@link SimulatedCpus}): every {@link #YIELD_EVERY} events it yields its
     * carrier, so that a CPU-bound stretch of a run (an {@code advance} beside a callback in flight) lets
     * the server's request threads, which share those carriers, answer meanwhile. Nothing else of the run
     * moves while it yields: its other CPUs are parked by design.
     */
    private void written(LogEntry event) {
        long written = events.incrementAndGet();
        if (written % YIELD_EVERY == 0 && Thread.currentThread().isVirtual()) {
            Thread.yield();
        }
        if (written > budget.maxEvents()) {
            stop(ScenarioBudget.Kind.EVENTS);
        } else if (System.nanoTime() - deadline > 0) {
            stop(ScenarioBudget.Kind.WALL_TIME);
        }
    }

    /** The run begins step {@code index}: throws the overrun if it went over, or if its time is up. */
    void atStep(int index) {
        step = index;
        checkWallTime();
    }

    /** Throws the overrun if the request went over a budget, or its wall time is up now. */
    void checkWallTime() {
        if (System.nanoTime() - deadline > 0) {
            throw stop(ScenarioBudget.Kind.WALL_TIME);
        }
        if (overrun != null) {
            throw overrun;
        }
    }

    /** Real time left of the wall-time budget, never negative. */
    long nanosLeft() {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** Counts bytes of results as they are written; throws the overrun past the result-size budget. */
    void resultWritten(int bytes) {
        resultBytes += bytes;
        if (resultBytes > budget.maxResultBytes()) {
            throw stop(ScenarioBudget.Kind.RESULT_BYTES);
        }
    }

    Optional<ScenarioOverrun> overrun() {
        return Optional.ofNullable(overrun);
    }

    /** Records the first budget gone over, with how far the run got, and halts the run's engine. */
    private synchronized ScenarioOverrun stop(ScenarioBudget.Kind kind) {
        if (overrun == null) {
            var reached = new ScenarioOverrun.Progress(step, clock.nanoTime(), events.get(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), resultBytes);
            overrun = new ScenarioOverrun(kind, budget.limit(kind), reached);
            if (engine != null) {
                engine.halt(overrun.getMessage());
            }
        }
        return overrun;
    }
}
