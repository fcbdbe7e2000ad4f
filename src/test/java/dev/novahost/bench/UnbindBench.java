package dev.novahost.bench;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.DriverWork;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.ObjectLimits;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.pci.PciAddress;
import java.util.Locale;
import java.util.Optional;
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
 * P3: sysfs unbind of a device that has {@code timers} armed timers, a tenth as many pending (delayed)
 * work items and a hundredth as many open files, against an idle device ({@code timers = 0}). Per-object
 * cost = (unbind(N) - unbind(0)) / (N + N/10 + N/100). Each invocation gets a fresh host, built in an
 * untimed setup that ends with a full collection.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class UnbindBench {

    private static final long FAR = TimeUnit.HOURS.toNanos(1);
    private static final DriverTimer.Spec TIMER =
            new DriverTimer.Spec(TimerMode.ONESHOT, FAR, 0, Scope.DEVICE, Action.NOOP, Optional.empty());
    private static final DriverWork.Spec WORK = new DriverWork.Spec(FAR, 0, Scope.DEVICE, Action.NOOP);

    @Param({"0", "1000", "10000", "100000"})
    int timers;

    /** The lock validator on (the default) or off: what lock tracking costs an unbind (issue 16). */
    @Param({"true", "false"})
    boolean lockdep;

    /** The policy the device is bound under; {@code -p policy=revocable,fenced,srcu} compares them (issue 18). */
    @Param({"revocable"})
    String policy;

    private BenchHost host;
    private PciAddress gpu;

    @Setup(Level.Invocation)
    public void busyDevice() {
        host = new BenchHost(4, new ObjectLimits(Math.max(1, timers), Math.max(1, timers / 10), timers / 100 + 1),
                lockdep);
        gpu = host.boundGpu(Policy.valueOf(policy.toUpperCase(Locale.ROOT)));
        for (int i = 0; i < timers; i++) {
            host.kernel.armTimer(gpu, TIMER);
        }
        for (int i = 0; i < timers / 10; i++) {
            host.kernel.queueWork(gpu, WORK);
        }
        for (int i = 0; i < timers / 100; i++) {
            host.kernel.openFile(gpu);
        }
        System.gc(); // start each unbind with an empty young generation: time the unbind, not the setup's garbage
    }

    @TearDown(Level.Invocation)
    public void shutDown() {
        if (host.engine.queued() != 0) {
            throw new AssertionError(host.engine.queued() + " entries still queued after unbind");
        }
        host.close();
    }

    @Benchmark
    public void unbind() {
        host.kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu);
    }
}
