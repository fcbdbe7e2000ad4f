package dev.novahost.kernel.devres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.lockdep.CircularDependency;
import dev.novahost.kernel.lockdep.Dependency;
import dev.novahost.kernel.lockdep.Lockdep;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.pci.Chipset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The revocation's wait for readers as a lock class ({@code (srcu)BAR0}, as SRCU's {@code dep_map}):
 * {@code revoke()} waits for it, a reader that may block holds it; a revocation under a lock that a
 * reader takes inside its section is a deadlock lockdep proves before any revoke waits for real.
 */
class RevocableLockdepTest {

    private final List<CircularDependency> reports = new CopyOnWriteArrayList<>();
    private final Lockdep lockdep = new Lockdep(reports::add);
    private final Revocable<String> bar = new Revocable<>("BAR0", released -> { }, nanos -> { }, lockdep,
            lockdep.lockClass("(srcu)BAR0"));

    @Test
    void aRevokeUnderTheDeviceLockRecordsThatItWaitsForTheReaders() {
        try (var device = lockdep.acquire(lockdep.lockClass("&dev->mutex"), "device_lock")) {
            assertThat(bar.revoke()).isTrue();
        }

        assertThat(lockdep.dependencies()).singleElement().satisfies(order -> {
            assertThat(order.before().name()).isEqualTo("&dev->mutex");
            assertThat(order.after().name()).isEqualTo("(srcu)BAR0");
            assertThat(order.takenAt()).isEqualTo("revoke");
        });
        assertThat(reports).isEmpty();
    }

    @Test
    void aReaderThatTakesTheDeviceLockInsideItsSectionAndARevokeUnderThatLockAreADeadlockReportedBeforeAnyWait()
            throws InterruptedException {
        // a reader, once: it holds its guard across device_lock() (a sysfs store that locks the device)
        var reader = Thread.ofPlatform().name("reader").start(() -> {
            lockdep.nameTask("nova_store");
            try (var guard = bar.tryAccess("nova_store").orElseThrow();
                 var device = lockdep.acquire(lockdep.lockClass("&dev->mutex"), "device_lock")) {
                assertThat(lockdep.heldByThisThread()).containsExactly("(srcu)BAR0", "&dev->mutex");
            }
            assertThat(lockdep.heldByThisThread()).as("the guard's close releases the class").isEmpty();
        });
        reader.join();
        assertThat(reports).isEmpty();

        // later, an unbind revokes under the device lock: the reader is long gone, nothing waits, and yet
        lockdep.nameTask("unbind");
        try (var device = lockdep.acquire(lockdep.lockClass("&dev->mutex"), "device_lock")) {
            assertThat(bar.revoke()).isTrue();
        }

        assertThat(reports).singleElement().satisfies(cycle -> {
            assertThat(cycle.isRecursive()).isFalse();
            assertThat(cycle.task()).isEqualTo("unbind");
            assertThat(cycle.acquiring().name()).isEqualTo("(srcu)BAR0");
            assertThat(cycle.acquiringAt()).isEqualTo("revoke");
            assertThat(cycle.holding().name()).isEqualTo("&dev->mutex");
            assertThat(cycle.chain()).extracting(Dependency::task, Dependency::heldAt, Dependency::takenAt)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("nova_store", "nova_store", "device_lock"));
            assertThat(cycle.report().getFirst()).isEqualTo("WARNING: possible circular locking dependency detected");
        });
    }

    @Test
    void plainAccessesAndOptimisticReadsHoldNothingSoTheHotPathsRecordNoOrder() {
        try (var device = lockdep.acquire(lockdep.lockClass("&dev->mutex"), "device_lock")) {
            try (var guard = bar.tryAccess().orElseThrow()) {
                assertThat(lockdep.heldByThisThread()).containsExactly("&dev->mutex");
            }
            assertThat(bar.tryRead(String::length)).hasValue(4);
            assertThat(lockdep.heldByThisThread()).containsExactly("&dev->mutex");
        }
        assertThat(lockdep.dependencies()).isEmpty();
    }

    @Test
    void aReaderRefusedAfterRevocationHoldsNothingAfterwards() {
        bar.revoke();

        assertThat(bar.tryAccess("nova_store")).isEmpty();
        assertThat(lockdep.heldByThisThread()).isEmpty();
    }

    @Test
    void aRevokeThatLostTheRaceWaitsForNothingAndRecordsNothing() {
        bar.revoke();
        try (var device = lockdep.acquire(lockdep.lockClass("&dev->mutex"), "device_lock")) {
            assertThat(bar.revoke()).isFalse();
        }
        assertThat(lockdep.dependencies()).isEmpty();
    }

    /** The model: nova-core's revocable BAR0 is {@code (srcu)BAR0}, revoked by devres under the device lock. */
    @Test
    void anUnbindOfARevocableDeviceRecordsTheDeviceLockBeforeTheRevocationsWait() {
        try (var kernel = new Kernel(new KernelConfig(4, true), Clock.system())) {
            var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
            kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu);

            assertThat(kernel.lockdep().dependencies())
                    .anySatisfy(order -> {
                        assertThat(order.before().name()).isEqualTo("&dev->mutex");
                        assertThat(order.after().name()).isEqualTo("(srcu)BAR0");
                    });
            assertThat(kernel.sanitizer().violations()).isEmpty();
        }
    }
}
