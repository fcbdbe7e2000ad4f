package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.NOVA_CORE;
import static dev.novahost.kernel.novacore.TestHost.PATIENCE;
import static dev.novahost.kernel.novacore.TestHost.Seen.occurred;
import static dev.novahost.kernel.novacore.TestHost.errnoOf;
import static dev.novahost.kernel.novacore.TestHost.eventually;
import static dev.novahost.kernel.sanitizer.ViolationKind.EXEC_AFTER_UNLOAD;
import static dev.novahost.kernel.sanitizer.ViolationKind.TIMER_FREE_ACTIVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.module.Module;
import dev.novahost.kernel.module.ModuleState;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.sanitizer.Violation;
import dev.novahost.kernel.timer.HrTimer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * rmmod of nova-core with files open and callbacks pending (DESIGN.md §3): the disassociating unload
 * that disconnects files first, the forced one that leaves them pointing into freed text, reloads as
 * new text generations, module exit waiting for callbacks in flight, and opens racing an unload.
 * The pinning unload is the seed thread's own story ({@code SeedThreadTest}).
 */
class ModuleUnloadTest {

    private static final long MS = 1_000_000L;
    private static final Duration NO_HANG = Duration.ofSeconds(15);

    @RegisterExtension
    private final TestHost host = TestHost.boot();
    private final Kernel kernel = host.kernel();
    private final Module novaCore = kernel.module(NOVA_CORE);

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aDisassociatingUnloadDisconnectsOpenFilesSoTheirOpsAreEio(Policy policy) {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu(policy);
            var reader = kernel.openFile(gpu);
            var writer = kernel.openFile(gpu);
            reader.read(Bar0.NV_PMC_BOOT_0);

            kernel.unload(NOVA_CORE, UnloadMode.DISASSOCIATE);

            assertThat(novaCore.state()).isEqualTo(ModuleState.UNLOADED);
            assertThat(novaCore.refcount()).isZero();
            assertThat(reader.state()).isEqualTo(DeviceFile.State.DISCONNECTED);
            assertThat(errnoOf(() -> reader.read(Bar0.NV_PMC_BOOT_0))).isEqualTo(Errno.EIO);
            assertThat(errnoOf(() -> writer.write(Bar0.SCRATCH_FIRST, 1))).isEqualTo(Errno.EIO);
            kernel.novaCoreObjects().closeFile(reader.fd());
            assertThat(host.seen()).as("no module code ran after the text was freed").isEmpty();
        });
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aForcedUnloadLeavesOpenFilesPointingIntoFreedText(Policy policy) {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu(policy);
            var file = kernel.openFile(gpu);

            kernel.unload(NOVA_CORE, UnloadMode.FORCE);

            assertThat(novaCore.state()).isEqualTo(ModuleState.UNLOADED);
            assertThat(errnoOf(() -> file.read(Bar0.NV_PMC_BOOT_0))).isEqualTo(Errno.EFAULT);
            assertThat(host.seen()).containsExactly(occurred(EXEC_AFTER_UNLOAD));

            kernel.novaCoreObjects().closeFile(file.fd());

            var execs = violation(file);
            assertThat(execs.count()).as("the op, then release()").isEqualTo(2);
            assertThat(execs.generation()).isEqualTo(1);
            host.assertTimelinesStartAtCreation();
        });
    }

    /** The forced unload's count died with its text: a file left over from it is no reference on the next load. */
    @Test
    void aFileLeftOverFromAForcedUnloadHoldsNoReferenceOnTheNextGeneration() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu();
            var leftover = kernel.openFile(gpu);
            kernel.unload(NOVA_CORE, UnloadMode.FORCE);
            assertThat(novaCore.refcount()).isZero();

            kernel.load(NOVA_CORE);
            var fresh = kernel.openFile(gpu);
            assertThat(novaCore.refcount()).isEqualTo(1);
            kernel.novaCoreObjects().closeFile(leftover.fd());

            assertThat(novaCore.refcount()).as("only the new file's reference").isEqualTo(1);
            assertThat(fresh.read(Bar0.NV_PMC_BOOT_0)).isEqualTo(0x172000a1);
            kernel.novaCoreObjects().closeFile(fresh.fd());
            assertThat(novaCore.refcount()).isZero();
            assertThat(host.seen()).containsExactly(occurred(EXEC_AFTER_UNLOAD));
        });
    }

    /**
     * A fenced driver that forgot to cancel its timer leaves it armed across rmmod and insmod: it fires
     * into the first generation's freed text, is caught there, and never does its action (its BAR read
     * would hit the unmapped BAR). The new generation's timers run as usual.
     */
    @Test
    void aReloadIsANewGenerationAndCallbacksOfTheOldOneStayDead() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            host.usePolicy(Policy.FENCED);
            host.inject(TestHost.forgetTimerCancel());
            var gpu = host.plugGpu();
            var old = kernel.armTimer(gpu, periodic(20 * MS, Scope.DEVICE, Action.TOUCH_BAR));
            var oldCallback = old.holdNextCallback();

            kernel.unload(NOVA_CORE, UnloadMode.PIN);
            assertThat(host.seen()).containsExactly(occurred(TIMER_FREE_ACTIVE));
            kernel.load(NOVA_CORE);

            assertThat(novaCore.generation()).isEqualTo(2);
            assertThat(host.isBound(gpu)).as("autoprobed by the new generation").isTrue();
            long unmappedReads = unmappedReads();
            oldCallback.release();
            host.awaitSeen(occurred(EXEC_AFTER_UNLOAD));
            eventually().until(() -> !old.isActive());
            assertThat(host.seen()).containsExactlyInAnyOrder(occurred(TIMER_FREE_ACTIVE), occurred(EXEC_AFTER_UNLOAD));
            assertThat(violation(old).generation()).isEqualTo(1);
            assertThat(unmappedReads()).as("the old callback never did its action").isEqualTo(unmappedReads);

            var fresh = kernel.armTimer(gpu, periodic(MS, Scope.DEVICE, Action.TOUCH_BAR));
            eventually().until(() -> fresh.expirations() >= 3);
            assertThat(fresh.text().generation()).isEqualTo(2);
            assertThat(host.seen()).hasSize(2);
            host.assertTimelinesStartAtCreation();
        });
    }

    @Test
    void moduleExitWaitsForAModuleTimerCallbackInFlight() {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu();
            var timer = kernel.armTimer(gpu, periodic(MS, Scope.MODULE, Action.NOOP));
            var callback = timer.holdNextCallback();
            assertThat(callback.awaitEntered(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            var unloading = host.elsewhere(() -> kernel.unload(NOVA_CORE, UnloadMode.PIN));
            host.awaitLogged(gpu, "", "driver.freed");
            assertThat(novaCore.state()).isEqualTo(ModuleState.GOING);
            callback.release();
            unloading.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(novaCore.state()).isEqualTo(ModuleState.UNLOADED);
            assertThat(timer.state()).isEqualTo(HrTimer.State.CANCELLED);
            assertThat(host.seen()).as("the callback finished before the text was freed").isEmpty();
        });
    }

    /**
     * Many CPUs open files on a bound device while another unloads nova-core in disassociate mode.
     * Every open either took a reference on the live module (and its file was then disassociated or
     * closed) or failed with ENODEV; no reference outlives the unload.
     */
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void opensRacingAnUnloadEitherGetALiveReferenceOrEnodev(Policy policy) {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu(policy);
            var openers = new Openers(gpu, 4);
            eventually().until(() -> openers.opened.size() >= 40);
            openers.stop();
            assertThat(novaCore.refcount()).as("quiescent: one reference per open file").isEqualTo(openers.stillOpen());

            openers.start();
            eventually().until(() -> openers.opened.size() >= 80);
            kernel.unload(NOVA_CORE, UnloadMode.DISASSOCIATE);
            int failuresAtUnload = openers.failures.size();
            eventually().until(() -> openers.failures.size() >= failuresAtUnload + 8);
            openers.stop();

            assertThat(openers.failures).as("every failed open").containsOnly(Errno.ENODEV);
            for (var file : openers.opened) {
                assertThat(file.text().generation()).isEqualTo(1);
                assertThat(file.state()).as("%s after the unload", file.name()).isIn(DeviceFile.State.CLOSED, DeviceFile.State.DISCONNECTED);
                if (file.state() == DeviceFile.State.DISCONNECTED) {
                    assertThat(errnoOf(() -> file.read(Bar0.NV_PMC_BOOT_0))).isEqualTo(Errno.EIO);
                }
            }
            assertThat(novaCore.refcount()).isZero();
            assertThat(host.seen()).isEmpty();
        });
    }

    /** CPUs opening files on one GPU, closing every third, until stopped. */
    private final class Openers {

        final ConcurrentLinkedQueue<DeviceFile> opened = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Errno> failures = new ConcurrentLinkedQueue<>();
        private final PciAddress gpu;
        private final int cpus;
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final List<CompletableFuture<Void>> running = new ArrayList<>();

        Openers(PciAddress gpu, int cpus) {
            this.gpu = gpu;
            this.cpus = cpus;
            start();
        }

        void start() {
            stopped.set(false);
            running.clear();
            for (int cpu = 0; cpu < cpus; cpu++) {
                running.add(host.elsewhere(this::openUntilStopped));
            }
        }

        private void openUntilStopped() {
            for (int n = 1; !stopped.get(); n++) {
                try {
                    var file = kernel.openFile(gpu);
                    opened.add(file);
                    if (n % 3 == 0) {
                        kernel.novaCoreObjects().closeFile(file.fd());
                    }
                } catch (KernelException e) {
                    failures.add(e.errno());
                }
            }
        }

        void stop() throws Exception {
            stopped.set(true);
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
                    .get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }

        long stillOpen() {
            return opened.stream().filter(f -> f.state() == DeviceFile.State.OPEN).count();
        }
    }

    private long unmappedReads() {
        return kernel.barAccounting().total(BarAccounting.Op.READ, BarAccounting.Result.UNMAPPED);
    }

    private Violation violation(DriverObject object) {
        return kernel.sanitizer().violations().stream().filter(v -> v.kind() == EXEC_AFTER_UNLOAD
                && v.object().equals(object.name())).findFirst().orElseThrow();
    }

    private static DriverTimer.Spec periodic(long periodNs, Scope scope, Action action) {
        return new DriverTimer.Spec(TimerMode.PERIODIC, periodNs, periodNs, scope, action, Optional.empty());
    }
}
