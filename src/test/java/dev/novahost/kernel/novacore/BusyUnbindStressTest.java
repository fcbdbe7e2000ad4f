package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.PATIENCE;
import static dev.novahost.kernel.novacore.TestHost.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.work.WorkItem;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.sanitizer.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A busy device unbinds cleanly, over and over: with no injected bug, neither policy lets anything
 * happen that the sanitizer would call {@code occurred}, and no device-scope callback starts after
 * remove() returned.
 *
 * <p>Busy means: device- and module-scope periodic timers with short periods, a timer that queues
 * work, self-requeueing device and module work, open files, and other CPUs reading registers through
 * the files and the MMIO attribute and making new timers, work and files while unbind runs.
 */
class BusyUnbindStressTest {

    private static final int ROUNDS = 50;
    private static final long US = 1_000L;
    /** Errors a busy user may see while the device goes away under it: gone, or already cancelled/closed. */
    private static final Set<Errno> GONE = Set.of(Errno.ENODEV, Errno.ENOENT, Errno.EBADF);

    @RegisterExtension
    private final TestHost host = TestHost.boot();
    private final Kernel kernel = host.kernel();

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aBusyDeviceUnbindsWithNothingOccurring(Policy policy) {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            var gpu = host.plugGpu(policy);
            for (int round = 0; round < ROUNDS; round++) {
                if (round > 0) {
                    host.bind(gpu);
                }
                var device = kernel.novaCore(gpu);
                var busy = new BusyDevice(gpu);

                host.unbind(gpu);
                busy.stop();

                assertThat(host.reports(Outcome.OCCURRED)).as("round %d: violations that occurred: %s", round,
                        host.seen()).isZero();
                assertThat(busy.unexpected).as("round %d: errors other than 'gone'", round).isEmpty();
                busy.assertNoDeviceCallbackStartedAfterRemove(device);
                cleanUp();
            }
        });
    }

    /** What a test user leaves behind at module scope and in open files, gone before the next round. */
    private void cleanUp() {
        var objects = kernel.novaCoreObjects();
        objects.table().files().forEach(file -> objects.closeFile(file.fd()));
        objects.table().timers().forEach(timer -> objects.cancelTimer(timer.id()));
        objects.table().works().forEach(work -> objects.cancelWork(work.id()));
    }

    /** One round's load on the device: its objects, and the other CPUs using it until stopped. */
    private final class BusyDevice {

        final List<DriverTimer> deviceTimers = new ArrayList<>();
        final ConcurrentLinkedQueue<DriverTimer> madeTimers = new ConcurrentLinkedQueue<>();
        final List<DriverWork> deviceWorks = new ArrayList<>();
        final ConcurrentLinkedQueue<DriverWork> madeWorks = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Errno> unexpected = new ConcurrentLinkedQueue<>();
        final AtomicBoolean stopped = new AtomicBoolean();
        final AtomicLong reads = new AtomicLong();
        final List<CompletableFuture<Void>> cpus = new ArrayList<>();

        BusyDevice(PciAddress gpu) {
            var chained = kernel.queueWork(gpu, new DriverWork.Spec(0, 0, Scope.DEVICE, Action.TOUCH_BAR));
            deviceWorks.add(chained);
            deviceWorks.add(kernel.queueWork(gpu, new DriverWork.Spec(0, Long.MAX_VALUE, Scope.DEVICE,
                    Action.TOUCH_BAR)));
            deviceTimers.add(kernel.armTimer(gpu, periodic(200 * US, Scope.DEVICE, Action.TOUCH_BAR)));
            deviceTimers.add(kernel.armTimer(gpu, periodic(300 * US, Scope.DEVICE, Action.READ_PTIMER)));
            deviceTimers.add(kernel.armTimer(gpu, new DriverTimer.Spec(TimerMode.PERIODIC, 500 * US, 500 * US,
                    Scope.DEVICE, Action.QUEUE_WORK, Optional.of(chained))));
            kernel.armTimer(gpu, periodic(250 * US, Scope.MODULE, Action.TOUCH_BAR));
            kernel.armTimer(gpu, periodic(400 * US, Scope.MODULE, Action.READ_PTIMER));
            kernel.queueWork(gpu, new DriverWork.Spec(0, 1_000, Scope.MODULE, Action.TOUCH_BAR));
            var files = List.of(kernel.openFile(gpu), kernel.openFile(gpu));

            cpus.add(host.elsewhere(() -> untilStopped(() -> {
                files.get((int) (reads.incrementAndGet() & 1)).read(Bar0.NV_PMC_BOOT_0);
            })));
            cpus.add(host.elsewhere(() -> untilStopped(() -> {
                kernel.mmio().read(gpu, Bar0.NV_PMC_BOOT_0);
                kernel.mmio().readPtimer(gpu);
                reads.incrementAndGet();
            })));
            cpus.add(host.elsewhere(() -> untilStopped(() -> makeAndDrop(gpu))));

            eventually().until(() -> reads.get() >= 20
                    && deviceTimers.stream().allMatch(t -> t.expirations() >= 1) && chained.executions() >= 1);
        }

        /** A new timer of each scope, a new work item and a new file, then gone again (if unbind left them). */
        private void makeAndDrop(PciAddress gpu) {
            var objects = kernel.novaCoreObjects();
            var timer = kernel.armTimer(gpu, periodic(100 * US, Scope.DEVICE, Action.TOUCH_BAR));
            madeTimers.add(timer);
            var moduleTimer = kernel.armTimer(gpu, periodic(100 * US, Scope.MODULE, Action.TOUCH_BAR));
            var work = kernel.queueWork(gpu, new DriverWork.Spec(0, 3, Scope.DEVICE, Action.TOUCH_BAR));
            madeWorks.add(work);
            var moduleWork = kernel.queueWork(gpu, new DriverWork.Spec(50 * US, 3, Scope.MODULE, Action.TOUCH_BAR));
            var file = kernel.openFile(gpu);
            ignoringGone(() -> objects.cancelTimer(timer.id()));
            ignoringGone(() -> objects.cancelTimer(moduleTimer.id()));
            ignoringGone(() -> objects.cancelWork(work.id()));
            ignoringGone(() -> objects.cancelWork(moduleWork.id()));
            ignoringGone(() -> objects.closeFile(file.fd()));
        }

        private void untilStopped(Runnable step) {
            while (!stopped.get()) {
                ignoringGone(step);
            }
        }

        private void ignoringGone(Runnable step) {
            try {
                step.run();
            } catch (KernelException e) {
                if (!GONE.contains(e.errno())) {
                    unexpected.add(e.errno());
                }
            }
        }

        void stop() throws Exception {
            stopped.set(true);
            CompletableFuture.allOf(cpus.toArray(CompletableFuture[]::new))
                    .get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Every run of a device-scope callback began before remove() returned: cancelled synchronously. */
        void assertNoDeviceCallbackStartedAfterRemove(NovaDevice device) {
            long removed = device.history().events().stream().filter(e -> e.type().equals("driver.removed"))
                    .mapToLong(LogEntry::seq).findFirst().orElseThrow();
            var timers = new ArrayList<>(deviceTimers);
            timers.addAll(madeTimers);
            for (var timer : timers) {
                assertThat(timer.isActive()).as("%s after unbind", timer.name()).isFalse();
                assertThat(lastSeq(timer.history().events(), "timer.fired")).as(timer.name()).isLessThan(removed);
            }
            var works = new ArrayList<>(deviceWorks);
            works.addAll(madeWorks);
            for (var work : works) {
                assertThat(work.state()).as("%s after unbind", work.name()).isIn(WorkItem.State.IDLE, WorkItem.State.CANCELLED);
                assertThat(lastSeq(work.history().events(), "work.running")).as(work.name()).isLessThan(removed);
            }
        }

        private static long lastSeq(List<LogEntry> events, String type) {
            return events.stream().filter(e -> e.type().equals(type)).mapToLong(LogEntry::seq).max().orElse(0);
        }
    }

    private static DriverTimer.Spec periodic(long periodNs, Scope scope, Action action) {
        return new DriverTimer.Spec(TimerMode.PERIODIC, periodNs, periodNs, scope, action, Optional.empty());
    }
}
