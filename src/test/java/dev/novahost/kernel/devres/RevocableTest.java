package dev.novahost.kernel.devres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.ManualClock;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciDevice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@code kernel::revocable}: a guard or nothing, revoke once, release once and only after the last
 * guard closed; and {@code Devres::access} with a bound-device proof.
 */
class RevocableTest {

    private static final Duration NO_DEADLOCK = Duration.ofSeconds(20);

    /** Stands in for a BAR mapping: it knows whether it has been unmapped, and how often. */
    static final class Mapping {
        final AtomicBoolean released = new AtomicBoolean();
        final AtomicInteger releases = new AtomicInteger();

        void release() {
            released.set(true);
            releases.incrementAndGet();
        }
    }

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        var t = new Thread(r, "revocable-test");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private static Revocable<Mapping> revocable(Mapping mapping) {
        return new Revocable<>(mapping, Mapping::release, nanos -> { });
    }

    @Nested
    class Basics {

        private final Mapping mapping = new Mapping();
        private final Revocable<Mapping> revocable = revocable(mapping);

        @Test
        void aGuardHandsOutTheResourceUntilItIsClosed() {
            var guard = revocable.tryAccess().orElseThrow();

            assertThat(guard.get()).isSameAs(mapping);
            guard.close();
            assertThatThrownBy(guard::get).isInstanceOf(IllegalStateException.class);
            guard.close(); // closing twice is harmless

            assertThat(revocable.revoke()).as("no reader left behind by the double close").isTrue();
        }

        @Test
        void revokeReturnsTrueOnceAndLaterAccessesFindNothing() {
            assertThat(revocable.isRevoked()).isFalse();

            assertThat(revocable.revoke()).isTrue();

            assertThat(revocable.isRevoked()).isTrue();
            assertThat(revocable.tryAccess()).isEmpty();
            assertThat(revocable.revoke()).as("second revoke").isFalse();
            assertThat(revocable.tryAccess()).isEmpty();
            assertThat(mapping.releases).as("released exactly once").hasValue(1);
        }

        @Test
        void theWaitObserverIsToldOncePerRevocation() {
            var waits = new ConcurrentLinkedQueue<Long>();
            var observed = new Revocable<>(mapping, Mapping::release, waits::add);

            observed.revoke();
            observed.revoke();

            assertThat(waits).singleElement().satisfies(nanos -> assertThat(nanos).isNotNegative());
        }

        @Test
        void revokeWaitsForTheOpenGuardAndReleasesOnlyAfterItCloses() throws Exception {
            var guard = revocable.tryAccess().orElseThrow();

            Future<Boolean> revoke = threads.submit(revocable::revoke);

            await().atMost(Duration.ofSeconds(5)).until(revocable::isRevoked);
            assertThat(revocable.tryAccess()).as("no new access once revocation began").isEmpty();
            assertThat(revocable.revoke()).as("a concurrent second revoke returns at once").isFalse();
            await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1))
                    .until(() -> !revoke.isDone() && !mapping.released.get());
            assertThat(guard.get().released).as("the resource is intact inside the guard").isFalse();

            guard.close();

            assertThat(revoke.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(mapping.releases).hasValue(1);
        }

        @Test
        void revokeWaitsForTheLastOfSeveralGuardsOnSeveralThreads() throws Exception {
            var otherHasGuard = new CountDownLatch(1);
            var otherMayClose = new CountDownLatch(1);
            Future<?> other = threads.submit(() -> {
                try (var g = revocable.tryAccess().orElseThrow()) {
                    otherHasGuard.countDown();
                    otherMayClose.await();
                    assertThat(g.get().released).isFalse();
                }
                return null;
            });
            assertThat(otherHasGuard.await(5, TimeUnit.SECONDS)).isTrue();
            var mine = revocable.tryAccess().orElseThrow();
            Future<Boolean> revoke = threads.submit(revocable::revoke);
            await().atMost(Duration.ofSeconds(5)).until(revocable::isRevoked);

            mine.close();

            await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1))
                    .until(() -> !revoke.isDone() && !mapping.released.get());
            otherMayClose.countDown();
            other.get(5, TimeUnit.SECONDS);
            assertThat(revoke.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(mapping.releases).hasValue(1);
        }
    }

    /**
     * Readers hammer {@code tryAccess} while two revokers race to revoke, round after round. Every reader
     * takes a ticket from a shared counter before each attempt; the winning revoker takes one after its
     * {@code revoke()} returned. A successful access with a later ticket began after revocation finished.
     * Every fourth round one reader keeps its guard open until revocation has begun, so that revoke is
     * sure to meet an access in flight however the threads happen to be scheduled.
     */
    @Nested
    class UnderConcurrency {

        private static final int READERS = 4;
        private static final int REVOKERS = 2;
        private static final int ROUNDS = 2_000;
        private static final Duration TIME_BUDGET = Duration.ofSeconds(3);
        /** Bounds each reader's attempts per round, so a revoke that never takes effect fails instead of spinning. */
        private static final int MAX_ATTEMPTS = 1_000_000;

        /** One revocable and what the threads saw of it in one round. */
        static final class Round {
            final int number;
            final Mapping mapping = new Mapping();
            final Revocable<Mapping> revocable = revocable(mapping);
            final AtomicLong tickets = new AtomicLong();
            final AtomicLong accesses = new AtomicLong();
            /** Accesses still inside their guard when revocation began: the ones revoke() had to wait for. */
            final AtomicLong accessesOverlappingRevoke = new AtomicLong();
            final AtomicLong lastSuccessfulTicket = new AtomicLong(-1);
            final AtomicLong revokeReturnedTicket = new AtomicLong(Long.MAX_VALUE);
            final AtomicInteger revokesThatRevoked = new AtomicInteger();
            /** Every fourth round one reader keeps its guard open until revocation begins, so revoke must wait. */
            final AtomicBoolean guardHeld;

            Round(int number) {
                this.number = number;
                this.guardHeld = new AtomicBoolean(number % 4 != 0);
            }

            void read(ConcurrentLinkedQueue<String> failures) {
                for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                    long ticket = tickets.incrementAndGet();
                    var guard = revocable.tryAccess();
                    if (guard.isEmpty()) {
                        if (revocable.tryAccess().isPresent()) {
                            failures.add("round " + number + ": an access succeeded after one was refused");
                        }
                        return;
                    }
                    try (var g = guard.get()) {
                        accesses.incrementAndGet();
                        if (holdsItsGuardUntilRevokeBegins()) {
                            while (!revocable.isRevoked()) {
                                Thread.yield();
                            }
                        }
                        if (revocable.isRevoked()) {
                            accessesOverlappingRevoke.incrementAndGet();
                        }
                        if (g.get().released.get()) {
                            failures.add("round " + number + ": a reader inside its guard saw the resource released");
                        }
                    }
                    lastSuccessfulTicket.accumulateAndGet(ticket, Math::max);
                    if (attempt % 16 == 15) {
                        Thread.yield(); // more threads than cores: let the revokers run
                    }
                }
                failures.add("round " + number + ": tryAccess never refused");
            }

            private boolean holdsItsGuardUntilRevokeBegins() {
                return guardHeld.compareAndSet(false, true);
            }

            /**
             * Lets a round-dependent number of accesses in first, so the revoke lands at varying points.
             * The revoke that loses the race must already find the resource revoked when it returns.
             */
            void revoke(ConcurrentLinkedQueue<String> failures) {
                long letIn = number % 50;
                for (int spins = 0; accesses.get() < letIn && spins < 10_000; spins++) {
                    Thread.yield();
                }
                if (revocable.revoke()) {
                    revokeReturnedTicket.set(tickets.incrementAndGet());
                    revokesThatRevoked.incrementAndGet();
                } else if (!revocable.isRevoked() || revocable.tryAccess().isPresent()) {
                    failures.add("round " + number + ": revoke() returned false before revocation had begun");
                }
            }

            void verify(ConcurrentLinkedQueue<String> failures) {
                if (revokesThatRevoked.get() != 1) {
                    failures.add("round " + number + ": " + revokesThatRevoked + " revoke() calls returned true");
                }
                if (mapping.releases.get() != 1) {
                    failures.add("round " + number + ": released " + mapping.releases + " times");
                }
                if (lastSuccessfulTicket.get() > revokeReturnedTicket.get()) {
                    failures.add("round " + number + ": access with ticket " + lastSuccessfulTicket
                            + " succeeded after revoke() returned at ticket " + revokeReturnedTicket);
                }
                if (revocable.tryAccess().isPresent()) {
                    failures.add("round " + number + ": tryAccess succeeded after the round ended");
                }
            }
        }

        @Test
        void noReaderSeesAReleasedResourceAndNoneGetsInAfterRevokeReturned() {
            var failures = new ConcurrentLinkedQueue<String>();
            var stop = new Round(-1);
            var current = new AtomicReference<Round>();
            var finished = new ArrayList<Round>();
            long deadline = System.nanoTime() + TIME_BUDGET.toNanos();
            var start = new CyclicBarrier(READERS + REVOKERS, () -> {
                var previous = current.get();
                if (previous != null) {
                    previous.verify(failures);
                    finished.add(previous);
                }
                int next = finished.size() + 1;
                boolean done = next > ROUNDS || System.nanoTime() > deadline || !failures.isEmpty();
                current.set(done ? stop : new Round(next));
            });

            assertTimeoutPreemptively(NO_DEADLOCK, () -> {
                var workers = new ArrayList<Future<?>>();
                for (int i = 0; i < READERS + REVOKERS; i++) {
                    boolean reader = i < READERS;
                    workers.add(threads.submit(() -> {
                        for (;;) {
                            start.await();
                            var round = current.get();
                            if (round == stop) {
                                return null;
                            }
                            if (reader) {
                                round.read(failures);
                            } else {
                                round.revoke(failures);
                            }
                        }
                    }));
                }
                for (var worker : workers) {
                    worker.get();
                }
            });

            assertThat(failures).isEmpty();
            assertThat(finished).as("rounds run").hasSizeGreaterThanOrEqualTo(100);
            long accesses = finished.stream().mapToLong(r -> r.accesses.get()).sum();
            assertThat(accesses).as("successful accesses over all rounds").isGreaterThan(finished.size());
            long racedRounds = finished.stream().filter(r -> r.accessesOverlappingRevoke.get() > 0).count();
            assertThat(racedRounds).as("rounds in which revoke began with an access in flight")
                    .isGreaterThanOrEqualTo(finished.size() / 5);
        }
    }

    /** {@code Devres::access(&Device<Bound>)}: an identity check instead of a revocation check. */
    @Nested
    class BoundDeviceProof {

        private final Kernel kernel = new Kernel(new KernelConfig(4, true), new ManualClock(0));
        private final PciDevice gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1);
        private final PciDevice otherGpu = kernel.hotplug(Chipset.AD102, Optional.empty(), 0xa1);
        private final Mapping mapping = new Mapping();
        private final DevresList devresList = new DevresList();
        private final Devres<Mapping> devres =
                Devres.register(gpu, devresList, "test mapping", mapping, Mapping::release, nanos -> { });

        private BoundDevice proofOf(PciDevice device) {
            return kernel.driverCore().binding(device).orElseThrow().bound();
        }

        @Test
        void theSameDevicesProofReachesTheResource() {
            assertThat(devres.access(proofOf(gpu))).isSameAs(mapping);
        }

        @Test
        void anotherDevicesProofIsEinval() {
            assertThatThrownBy(() -> devres.access(proofOf(otherGpu)))
                    .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                    .hasMessageContaining(gpu.address().toString())
                    .hasMessageContaining(otherGpu.address().toString());
        }

        @Test
        void accessWithAProofRegistersNoReaderSoRevokeDoesNotWaitForIt() {
            var resource = devres.access(proofOf(gpu));

            assertTimeoutPreemptively(NO_DEADLOCK, () -> assertThat(devres.revoke()).isTrue());

            assertThat(resource.releases).hasValue(1);
        }

        @Test
        void accessWithAProofSkipsTheRevocationCheck() {
            devres.revoke();

            assertThat(devres.isRevoked()).isTrue();
            assertThat(devres.tryAccess()).isEmpty();
            assertThat(devres.access(proofOf(gpu))).as("only identity is checked").isSameAs(mapping);
        }

        @Test
        void releasingTheDevresListRevokesAndReleasesOnce() {
            assertThat(devresList.names()).containsExactly("test mapping");

            List<String> released = devresList.releaseAll();

            assertThat(released).containsExactly("test mapping");
            assertThat(devres.isRevoked()).isTrue();
            assertThat(devres.revoke()).isFalse();
            assertThat(mapping.releases).hasValue(1);
            assertThat(devresList.isEmpty()).isTrue();
        }

        @Test
        void aDevresAccessedWhileTheListIsReleasedWaitsForTheGuard() throws Exception {
            var guard = devres.tryAccess().orElseThrow();
            Future<List<String>> release = threads.submit(devresList::releaseAll);
            await().atMost(Duration.ofSeconds(5)).until(devres::isRevoked);

            await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(1)).until(() -> !release.isDone());
            guard.close();

            assertThat(release.get(5, TimeUnit.SECONDS)).containsExactly("test mapping");
            assertThat(mapping.releases).hasValue(1);
        }
    }
}
