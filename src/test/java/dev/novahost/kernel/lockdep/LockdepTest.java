package dev.novahost.kernel.lockdep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The validator proves deadlocks from orders that each happened once, and stays quiet about a correct order. */
class LockdepTest {

    private final List<CircularDependency> reports = new CopyOnWriteArrayList<>();
    private final Lockdep lockdep = new Lockdep(reports::add);
    private final LockClass driverLock = lockdep.lockClass("&nd->lock");
    private final LockClass timerCallback = lockdep.lockClass("(hrtimer)nova_timer_fn");
    private final LockClass deviceLock = lockdep.lockClass("&dev->mutex");

    /** Runs {@code body} as a task of its own: lockdep's held locks are per thread. */
    private void asTask(String name, Runnable body) throws InterruptedException {
        var thread = Thread.ofPlatform().name(name).start(() -> {
            lockdep.nameTask(name);
            body.run();
        });
        thread.join();
    }

    @Test
    void anInversionIsReportedTheFirstTimeItsSecondOrderIsSeenWithoutBlocking() throws InterruptedException {
        asTask("unbind", () -> {
            try (var dev = lockdep.acquire(deviceLock, "device_release_driver")) {
                try (var nd = lockdep.acquire(driverLock, "nova_remove")) {
                    // the orders are recorded; nothing is wrong yet
                }
            }
        });
        assertThat(reports).isEmpty();

        asTask("kworker/0:1", () -> {
            try (var nd = lockdep.acquire(driverLock, "nova_reset_work")) {
                try (var dev = lockdep.acquire(deviceLock, "device_lock")) {
                    // the two tasks ran one after the other, and yet this order proves the deadlock
                }
            }
        });

        assertThat(reports).hasSize(1);
        var cycle = reports.getFirst();
        assertThat(cycle.task()).isEqualTo("kworker/0:1");
        assertThat(cycle.acquiring()).isSameAs(deviceLock);
        assertThat(cycle.holding()).isSameAs(driverLock);
        assertThat(cycle.chain()).singleElement().satisfies(link -> {
            assertThat(link.before()).isSameAs(deviceLock);
            assertThat(link.after()).isSameAs(driverLock);
            assertThat(link.task()).isEqualTo("unbind");
            assertThat(link.takenAt()).isEqualTo("nova_remove");
        });
        assertThat(cycle.report()).first().isEqualTo("WARNING: possible circular locking dependency detected");
        assertThat(String.join("\n", cycle.report()))
                .contains("kworker/0:1 is trying to acquire lock: (&dev->mutex) in device_lock")
                .contains("but task is already holding lock: (&nd->lock) taken in nova_reset_work")
                .contains("-> #1 (&nd->lock): taken in nova_remove by unbind while holding (&dev->mutex)");
    }

    /** {@code cancelUnderLock}: remove() holds the driver lock across hrtimer_cancel; the callback takes it. */
    @Test
    void aWaitIsAPseudoLockSoWaitingUnderALockTheWaitedForSideTakesIsACycle() throws InterruptedException {
        asTask("hrtimer callback", () -> {
            try (var running = lockdep.acquire(timerCallback, "__run_hrtimer")) {
                try (var nd = lockdep.acquire(driverLock, "nova_timer_fn")) {
                    // the callback takes the driver lock
                }
            }
        });
        asTask("unbind", () -> {
            try (var nd = lockdep.acquire(driverLock, "nova_remove")) {
                lockdep.waitFor(timerCallback, "hrtimer_cancel");
            }
        });

        assertThat(reports).singleElement().satisfies(cycle -> {
            assertThat(cycle.acquiring()).isSameAs(timerCallback);
            assertThat(cycle.acquiringAt()).isEqualTo("hrtimer_cancel");
            assertThat(cycle.cycle()).containsExactly(timerCallback, driverLock);
        });
    }

    /** {@code cancelWorkFromItself}: the running work holds its own completion; cancel_work_sync waits for it. */
    @Test
    void waitingForWhatThisTaskHoldsIsRecursion() throws InterruptedException {
        var work = lockdep.lockClass("(work_completion)(&nd->reset_work)");
        asTask("kworker/1:0", () -> {
            try (var running = lockdep.acquire(work, "process_one_work")) {
                lockdep.waitFor(work, "cancel_work_sync");
            }
        });

        assertThat(reports).singleElement().satisfies(cycle -> {
            assertThat(cycle.isRecursive()).isTrue();
            assertThat(cycle.report()).first().isEqualTo("WARNING: possible recursive locking detected");
        });
    }

    @Test
    void aCycleIsReportedOnceWhereverItIsEnteredAndItsRepeatsAreCounted() throws InterruptedException {
        var a = lockdep.lockClass("a");
        var b = lockdep.lockClass("b");
        var c = lockdep.lockClass("c");
        asTask("t1", () -> nested(a, b));
        asTask("t2", () -> nested(b, c));
        asTask("t3", () -> nested(c, a));
        asTask("t4", () -> nested(c, a));

        assertThat(reports).hasSize(1);
        assertThat(reports.getFirst().chain()).hasSize(2);
        assertThat(lockdep.found()).singleElement().satisfies(found -> assertThat(found.times()).isEqualTo(2));
    }

    @Test
    void locksMayBeReleasedOutOfOrderButNotReleasedUnheld() {
        var a = lockdep.acquire(driverLock, "x");
        var b = lockdep.acquire(deviceLock, "y");
        assertThat(lockdep.heldByThisThread()).containsExactly("&nd->lock", "&dev->mutex");
        a.close();
        assertThat(lockdep.heldByThisThread()).containsExactly("&dev->mutex");
        b.close();
        assertThatThrownBy(b::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("does not hold");
    }

    /** Eight tasks taking random subsets of six classes, always in one global order: never a report. */
    @Test
    void aConsistentOrderUnderEightThreadsIsNeverReportedAndOneInversionIsReportedOnce() throws Exception {
        var order = new ArrayList<LockClass>();
        for (int i = 0; i < 6; i++) {
            order.add(lockdep.lockClass("class-" + i));
        }
        var start = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                long seed = t;
                pool.submit(() -> {
                    start.await();
                    var random = new SplittableRandom(seed);
                    for (int round = 0; round < 5_000; round++) {
                        var taken = new ArrayList<Lockdep.Acquired>();
                        for (var lockClass : order) {
                            if (random.nextInt(3) == 0) {
                                taken.add(lockdep.acquire(lockClass, "step " + round));
                            }
                        }
                        taken.reversed().forEach(Lockdep.Acquired::close);
                    }
                    return null;
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(reports).isEmpty();

        asTask("inverter", () -> nested(order.get(5), order.get(0)));
        assertThat(reports).hasSize(1);
    }

    private void nested(LockClass outer, LockClass inner) {
        try (var o = lockdep.acquire(outer, "outer"); var i = lockdep.acquire(inner, "inner")) {
            // the order outer -> inner
        }
    }
}
