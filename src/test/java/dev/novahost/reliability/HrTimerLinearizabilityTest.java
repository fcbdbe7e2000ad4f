package dev.novahost.reliability;

import static dev.novahost.reliability.LinearizabilityCheck.iterations;
import static dev.novahost.reliability.LinearizabilityCheck.scenario;

import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.timer.HrTimer;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.List;
import java.util.OptionalLong;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * {@code hrtimer} cancel against fire: a periodic {@link HrTimer} on a virtual-time {@link TimerEngine},
 * started, cancelled and fired ({@code tick} advances the clock one nanosecond, running whatever fell
 * due on the caller's thread, as a timer CPU would) from several threads at once, behaves as
 * {@link Model}: a timer that is armed or not, and shut down or not.
 *
 * <p>Time moves on one thread (the timer CPU: virtual time has one driver) and cancels come from one
 * thread (the one tearing the timer down); they race each other and the re-arms on the third. Two
 * cancels racing each other may both report "was active" while the callback runs; and while a
 * {@code cancel()} waits for a running callback, {@code start()} already fails (the timer is shut down)
 * but {@code isActive()} is still true (the callback does run). Neither is a state the model, where
 * cancel is one step, has, and nothing relies on them; so {@code isActive} is asked on the cancelling
 * thread.
 *
 * <p>Besides the results, the callback checks the rule cancel exists for: once {@code cancel()} has
 * returned, the callback never runs again ({@link #noCallbackAfterCancelReturned}). Lincheck needs the
 * classes public.
 */
public class HrTimerLinearizabilityTest {

    private final VirtualClock clock = new VirtualClock();
    private final TimerEngine engine = TimerEngine.virtual(clock);
    private volatile boolean cancelReturned;
    private volatile boolean firedAfterCancel;
    private final HrTimer timer = new HrTimer(engine, t -> {
        if (cancelReturned) {
            firedAfterCancel = true;
        }
        return OptionalLong.of(clock.nanoTime() + 1); // periodic: due again at the next tick
    });

    /** {@code hrtimer_start} for the next tick. */
    @Operation
    public boolean start() {
        return timer.start(clock.nanoTime() + 1);
    }

    /** {@code hrtimer_cancel} + {@code timer_shutdown_sync}. */
    @Operation(nonParallelGroup = "canceller")
    public boolean cancel() {
        boolean wasActive = timer.cancel();
        cancelReturned = true;
        return wasActive;
    }

    /** With the cancels: see the class comment. */
    @Operation(nonParallelGroup = "canceller")
    public boolean isActive() {
        return timer.isActive();
    }

    /** One nanosecond passes; whether the callback ran. */
    @Operation(nonParallelGroup = "timer-cpu")
    public boolean tick() {
        return engine.advanceTo(clock.nanoTime() + 1) > 0;
    }

    @Validate
    public void noCallbackAfterCancelReturned() {
        if (firedAfterCancel) {
            throw new IllegalStateException("the callback ran after cancel() had returned");
        }
    }

    /** The sequential specification: each operation at one instant. */
    public static class Model {
        private boolean armed;
        private boolean shutdown;

        public boolean start() {
            if (shutdown) {
                return false;
            }
            armed = true;
            return true;
        }

        public boolean cancel() {
            shutdown = true;
            return cancelKeepingUsable();
        }

        public boolean cancelKeepingUsable() {
            boolean wasActive = armed;
            armed = false;
            return wasActive;
        }

        /** A periodic timer that fires re-arms itself. */
        public boolean tick() {
            return armed;
        }

        public boolean isActive() {
            return armed;
        }
    }

    @Test
    void isLinearizable() throws Exception {
        SeparateJvm.run(HrTimerLinearizabilityTest.class, "check");
    }

    /** Model checking explores interleavings; stress runs the real thing on real threads. */
    static void check() {
        new ModelCheckingOptions().sequentialSpecification(Model.class).iterations(iterations(4))
                .invocationsPerIteration(100).threads(3).actorsPerThread(3).actorsBefore(1).actorsAfter(1)
                .check(HrTimerLinearizabilityTest.class);
        new StressOptions().sequentialSpecification(Model.class).iterations(iterations(5))
                .invocationsPerIteration(1_000).threads(3).actorsPerThread(3).check(HrTimerLinearizabilityTest.class);
    }

    @Test
    void startRacingACancelThatKeepsTheTimerUsable() throws Exception {
        SeparateJvm.run(HrTimerLinearizabilityTest.class, "checkKeepingUsable");
    }

    /**
     * The pinned scenario is the bug's: a start racing a cancel that waits for the callback a tick runs.
     * The model checker needs about 200 interleavings to reach it, hence 300 per scenario.
     */
    static void checkKeepingUsable() {
        new ModelCheckingOptions().sequentialSpecification(Model.class)
                .addCustomScenario(scenario(KeepingUsable.class, List.of("start"),
                        List.of(List.of("cancelKeepingUsable"), List.of("tick"), List.of("start"))))
                .iterations(iterations(2)).invocationsPerIteration(300).threads(3).actorsPerThread(2).actorsBefore(1)
                .check(KeepingUsable.class);
    }

    /**
     * {@code hrtimer_cancel} without the shutdown: a start after it, or racing it, must be able to arm.
     * (This found start() refusing, and leaving the timer unarmed, while a cancelKeepingUsable() waited
     * for the running callback; start() now waits for that cancel and then arms.)
     */
    public static class KeepingUsable {

        private final VirtualClock clock = new VirtualClock();
        private final TimerEngine engine = TimerEngine.virtual(clock);
        private final HrTimer timer = new HrTimer(engine, t -> OptionalLong.of(clock.nanoTime() + 1));

        @Operation
        public boolean start() {
            return timer.start(clock.nanoTime() + 1);
        }

        @Operation(nonParallelGroup = "canceller")
        public boolean cancelKeepingUsable() {
            return timer.cancelKeepingUsable();
        }

        @Operation(nonParallelGroup = "timer-cpu")
        public boolean tick() {
            return engine.advanceTo(clock.nanoTime() + 1) > 0;
        }
    }
}
