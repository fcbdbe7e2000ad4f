package dev.novahost.bench;

import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.timer.HrTimer;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.OptionalLong;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Virtual time, where the engine runs everything on the caller's thread.
 *
 * <ul>
 *   <li>P4 {@code expirations}: {@code timers} one-shot {@link HrTimer}s armed at random deadlines over
 *       one virtual second, then one {@code advanceTo}: the time per expiration (1e6 / score = expirations/s).</li>
 *   <li>P8 {@code scenario}: a kernel on the virtual engine, one bound GA102 with ten periodic timers
 *       (1 ms, reading the PTIMER through the BAR) and a periodic one that queues work, advanced in
 *       {@code steps} steps of 100 µs: the time for the whole run.</li>
 * </ul>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(1)
public class VirtualTimeBench {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** P4: one virtual second of one-shot timers. */
    @State(org.openjdk.jmh.annotations.Scope.Thread)
    public static class ArmedEngine {

        @Param("100000")
        int timers;

        TimerEngine engine;
        long expired;

        @Setup(Level.Invocation)
        public void armOneSecondOfTimers() {
            engine = TimerEngine.virtual(new VirtualClock());
            var random = new SplittableRandom(6);
            for (int i = 0; i < timers; i++) {
                new HrTimer(engine, timer -> {
                    expired++;
                    return OptionalLong.empty();
                }).start(1 + random.nextLong(SECOND));
            }
        }

        @TearDown(Level.Invocation)
        public void allExpired() {
            if (engine.queued() != 0) {
                throw new AssertionError(engine.queued() + " timers left after advancing past every deadline");
            }
        }
    }

    /** P8: a small host on virtual time. */
    @State(org.openjdk.jmh.annotations.Scope.Thread)
    public static class Scenario {

        @Param("10000")
        int steps;

        BenchHost host;

        @Setup(Level.Invocation)
        public void bootWithTimers() {
            host = new BenchHost();
            var gpu = host.boundGpu(Policy.REVOCABLE);
            var periodic = new DriverTimer.Spec(TimerMode.PERIODIC, 1_000_000, 1_000_000, Scope.DEVICE,
                    Action.READ_PTIMER, Optional.empty());
            for (int i = 0; i < 10; i++) {
                host.kernel.armTimer(gpu, periodic);
            }
            var work = host.kernel.queueWork(gpu, new dev.novahost.kernel.novacore.DriverWork.Spec(
                    0, 0, Scope.DEVICE, Action.TOUCH_BAR));
            host.kernel.armTimer(gpu, new DriverTimer.Spec(TimerMode.PERIODIC, 500_000, 500_000, Scope.DEVICE,
                    Action.QUEUE_WORK, Optional.of(work)));
        }

        @TearDown(Level.Invocation)
        public void shutDown() {
            host.close();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long expirations(ArmedEngine armed) {
        armed.engine.advanceTo(SECOND);
        return armed.expired;
    }

    @Benchmark
    public long scenario(Scenario scenario) {
        long ran = 0;
        for (int step = 1; step <= scenario.steps; step++) {
            ran += scenario.host.engine.advanceTo(step * 100_000L);
        }
        return ran;
    }
}
