package dev.novahost.bench;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.BarHandle;
import dev.novahost.kernel.novacore.ObjectLimits;
import dev.novahost.kernel.pci.BoundDevice;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P1, reads: one BAR0 register read by nova-core's handle, all threads on the same device.
 *
 * <ul>
 *   <li>{@code revocable}: {@code RevocableBar.read32}, the {@code revocable} policy's hot path;</li>
 *   <li>{@code fenced}: {@code FencedBar.read32}, the plain mapping (the baseline);</li>
 *   <li>{@code srcu}: {@code SrcuBar.read32}, the {@code srcu} policy's API read: one short read-side section;</li>
 *   <li>{@code bound}: {@code access(BoundDevice).read32}, the bound-device proof (identity check only);</li>
 *   <li>{@code rwLock}: the fenced read under a shared {@link ReentrantReadWriteLock} read lock, which is
 *       what "revoke takes the write lock" would cost every reader.</li>
 * </ul>
 * Run it with {@code -t 1} and {@code -t 2}. {@code NV_PMC_BOOT_0} is a constant register, the cheapest
 * read and so the strictest ratio; {@code NV_PTIMER_TIME_0} reads the clock, as the HTTP benchmark does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class BarReadBench {

    @Param({"0x000000", "0x009400"})
    String register;

    /** The lock validator on (the default); {@code -p lockdep=true,false} measures what it costs a read (issue 16). */
    @Param({"true"})
    boolean lockdep;

    private int offset;
    private BenchHost host;
    private BarHandle revocable;
    private BarHandle fenced;
    private BarHandle srcu;
    private BoundDevice revocableProof;
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    private final Lock readLock = rw.readLock();

    @Setup
    public void bindTwoGpus() {
        offset = Integer.decode(register);
        host = new BenchHost(4, ObjectLimits.DEFAULTS, lockdep);
        var revocableGpu = host.boundGpu(Policy.REVOCABLE);
        var fencedGpu = host.boundGpu(Policy.FENCED);
        var srcuGpu = host.boundGpu(Policy.SRCU);
        revocable = host.novaCore(revocableGpu).bar();
        fenced = host.novaCore(fencedGpu).bar();
        srcu = host.novaCore(srcuGpu).bar();
        revocableProof = host.proofOf(revocableGpu);
    }

    @TearDown
    public void shutDown() {
        host.close();
    }

    @Benchmark
    public int revocable() {
        return revocable.read32(offset);
    }

    @Benchmark
    public int fenced() {
        return fenced.read32(offset);
    }

    @Benchmark
    public int srcu() {
        return srcu.read32(offset);
    }

    @Benchmark
    public int bound() {
        return revocable.access(revocableProof).read32(offset);
    }

    @Benchmark
    public int rwLock() {
        readLock.lock();
        try {
            return fenced.read32(offset);
        } finally {
            readLock.unlock();
        }
    }
}
