package dev.novahost.bench;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.BarHandle;
import dev.novahost.kernel.pci.Bar0;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P1, writes: one BAR0 scratch-register write by nova-core's handle ({@code revocable}, {@code fenced},
 * and the fenced write under a {@link ReentrantReadWriteLock} read lock). Run with {@code -t 1} and {@code -t 2}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class BarWriteBench {

    private static final int SCRATCH = Bar0.SCRATCH_FIRST;
    private static final int VALUE = 0x5a5a_0001;

    private BenchHost host;
    private BarHandle revocable;
    private BarHandle fenced;
    private final Lock readLock = new ReentrantReadWriteLock().readLock();

    @Setup
    public void bindTwoGpus() {
        host = new BenchHost();
        revocable = host.novaCore(host.boundGpu(Policy.REVOCABLE)).bar();
        fenced = host.novaCore(host.boundGpu(Policy.FENCED)).bar();
    }

    @TearDown
    public void shutDown() {
        host.close();
    }

    @Benchmark
    public void revocable() {
        revocable.write32(SCRATCH, VALUE);
    }

    @Benchmark
    public void fenced() {
        fenced.write32(SCRATCH, VALUE);
    }

    @Benchmark
    public void rwLock() {
        readLock.lock();
        try {
            fenced.write32(SCRATCH, VALUE);
        } finally {
            readLock.unlock();
        }
    }
}
