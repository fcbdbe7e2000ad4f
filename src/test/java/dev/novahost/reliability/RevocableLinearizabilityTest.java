package dev.novahost.reliability;

import static dev.novahost.reliability.LinearizabilityCheck.iterations;
import static dev.novahost.reliability.LinearizabilityCheck.scenario;

import dev.novahost.kernel.devres.Revocable;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * {@code kernel::revocable} against its sequential specification: a {@link Revocable} over a mapping
 * behaves as if each {@code tryAccess}+close, {@code tryRead}, {@code revoke} and {@code isRevoked}
 * happened at one instant. Run sequentially (Lincheck's default specification is the tested class run
 * one operation at a time), an access succeeds exactly until the first revoke and sees a mapping that
 * is still mapped, and only the first revoke returns true; the release runs once, after every access
 * that succeeded.
 *
 * <p>An access reports what it saw: {@code -1} refused, {@code 0} a live mapping, {@code 1} an unmapped
 * one (a use-after-unmap, which no sequential run can produce). {@link OneRevoker} revokes from one
 * thread at a time, as the devres list releases under the device lock; {@link ConcurrentRevokers} lets
 * revokes race. Lincheck needs the classes public.
 */
public class RevocableLinearizabilityTest {

    @Test
    void isLinearizable() throws Exception {
        SeparateJvm.run(RevocableLinearizabilityTest.class, "check");
    }

    /** Model checking explores interleavings; stress runs the real thing on real threads. */
    static void check() {
        new ModelCheckingOptions().iterations(iterations(5)).invocationsPerIteration(200).threads(3).actorsPerThread(3)
                .actorsBefore(1).actorsAfter(1).check(OneRevoker.class);
        new StressOptions().iterations(iterations(5)).invocationsPerIteration(1_000).threads(3).actorsPerThread(3)
                .check(OneRevoker.class);
    }

    /**
     * A revoke() that loses the race returns false at once, but only once revocation has begun: an
     * {@code isRevoked()} or a {@code tryAccess()} after it on the same thread finds the resource revoked.
     * (This found revoke() deciding on a flag of its own and clearing {@code available} only afterwards,
     * so that a loser returned while accesses were still handed out.)
     */
    @Test
    void concurrentRevokersAreLinearizable() throws Exception {
        SeparateJvm.run(RevocableLinearizabilityTest.class, "checkConcurrentRevokers");
    }

    /** The pinned scenario is the bug's: the loser asks isRevoked() and tries an access right after. */
    static void checkConcurrentRevokers() {
        new ModelCheckingOptions()
                .addCustomScenario(scenario(ConcurrentRevokers.class, List.of(),
                        List.of(List.of("revoke", "isRevoked", "access"), List.of("revoke"))))
                .iterations(iterations(5)).invocationsPerIteration(200).threads(3).actorsPerThread(3)
                .actorsBefore(1).actorsAfter(1).check(ConcurrentRevokers.class);
    }

    /** Stands in for a BAR mapping: unmapped once, by the release. */
    private static final class Mapping {
        volatile boolean unmapped;
        final AtomicInteger releases = new AtomicInteger();

        int touch() {
            return unmapped ? 1 : 0;
        }
    }

    /** The operations every variant has; revoke is the variants' own. */
    public abstract static class Accesses {

        private final Mapping mapping = new Mapping();
        final Revocable<Mapping> revocable = new Revocable<>(mapping, m -> {
            m.unmapped = true;
            m.releases.incrementAndGet();
        }, waited -> { });

        @Operation
        public int access() {
            var guard = revocable.tryAccess();
            if (guard.isEmpty()) {
                return -1;
            }
            try (var held = guard.get()) {
                return held.get().touch();
            }
        }

        /** An optimistic read hands out only values read before revocation began: never the unmapped 1. */
        @Operation
        public int optimisticRead() {
            return revocable.tryRead(Mapping::touch).orElse(-1);
        }

        @Operation
        public boolean isRevoked() {
            return revocable.isRevoked();
        }

        /** After every run: released at most once, and exactly once if anyone revoked. */
        @Validate
        public void releasedOnceIfRevoked() {
            int releases = mapping.releases.get();
            if (releases > 1 || (revocable.isRevoked() != (releases == 1))) {
                throw new IllegalStateException("released " + releases + " times, revoked=" + revocable.isRevoked());
            }
        }
    }

    /** Revokes from one thread at a time, as {@code devres_release_all} under the device lock. */
    public static class OneRevoker extends Accesses {

        @Operation(nonParallelGroup = "revoker")
        public boolean revoke() {
            return revocable.revoke();
        }
    }

    /** Revokes race: the one that returns false must find the resource revoked already. */
    public static class ConcurrentRevokers extends Accesses {

        @Operation
        public boolean revoke() {
            return revocable.revoke();
        }
    }
}
