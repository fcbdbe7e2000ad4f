package dev.novahost.scenario;

import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.List;

/**
 * What a step applies itself to: the run's kernel on virtual time, the names its steps gave, and its
 * simulated CPUs. One per run ({@link ScenarioRunner}); steps run on the run's thread or on a CPU of
 * their own, one at a time, as {@link SimulatedCpus} hands them the turn.
 */
interface StepContext {

    Kernel kernel();

    TimerEngine engine();

    VirtualClock clock();

    RunNames names();

    /** The scenario's seed: what {@code set-faults} without a seed of its own starts from. */
    long seed();

    SimulatedCpus cpus();

    /** The steps that waited for a callback and completed when it ended, let go by the current step. */
    void completed(List<SimulatedCpus.Completed> completed);
}
