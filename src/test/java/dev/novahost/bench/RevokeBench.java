package dev.novahost.bench;

import dev.novahost.kernel.devres.Revocable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P2: {@code revoke()} while four threads hammer the same {@link Revocable}: with guards
 * ({@code underLoad}: {@code tryAccess()}, which revoke must wait for) and with optimistic reads
 * ({@code underReads}: {@code tryRead()}, which it need not). Each revoke is timed ({@code SampleTime}:
 * read the {@code revoke} line's p0.99); the revoker then publishes a fresh revocable, which the readers
 * pick up at once.
 *
 * <p>Readers check the invariant as they go: a guard they got must never be open after the revoke of
 * its revocable returned, and no optimistic read may succeed that began after it returned. The trial
 * fails if one did.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class RevokeBench {

    /** One revocable and whether its revoke() has returned. */
    static final class Round {
        final Revocable<int[]> revocable = new Revocable<>(new int[] {42}, resource -> { }, nanos -> { });
        volatile boolean revokeReturned;
    }

    private volatile Round current = new Round();
    private final LongAdder lateAccesses = new LongAdder();
    private final LongAdder refusals = new LongAdder();

    @Benchmark
    @Group("underLoad")
    @GroupThreads(1)
    public boolean revoke() {
        var round = current;
        boolean revoked = round.revocable.revoke();
        round.revokeReturned = true;
        current = new Round();
        return revoked;
    }

    @Benchmark
    @Group("underLoad")
    @GroupThreads(4)
    public int tryAccess() {
        var round = current;
        var guard = round.revocable.tryAccess();
        if (guard.isEmpty()) {
            refusals.increment();
            return 0;
        }
        try (var access = guard.get()) {
            if (round.revokeReturned) {
                lateAccesses.increment();
            }
            return access.get()[0];
        }
    }

    @Benchmark
    @Group("underReads")
    @GroupThreads(1)
    public boolean revokeWhileRead() {
        return revoke();
    }

    @Benchmark
    @Group("underReads")
    @GroupThreads(4)
    public int tryRead() {
        var round = current;
        boolean beganAfterRevoke = round.revokeReturned;
        var value = round.revocable.tryRead(resource -> resource[0]);
        if (value.isEmpty()) {
            refusals.increment();
            return 0;
        }
        if (beganAfterRevoke) {
            lateAccesses.increment();
        }
        return value.getAsInt();
    }

    @TearDown
    public void noAccessOutlivedItsRevoke() {
        if (lateAccesses.sum() != 0) {
            throw new AssertionError(lateAccesses.sum() + " accesses were in flight after revoke() returned ("
                    + refusals.sum() + " refusals)");
        }
    }
}
