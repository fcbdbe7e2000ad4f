package dev.novahost.kernel.novacore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 13: past a per-device limit nothing changes. A timer, work item or file refused with
 * {@code ENOSPC} writes no line to the kernel log, takes no id or descriptor, and changes no count; the
 * next create that is accepted gets the very next id.
 */
class ObjectLimitTest {

    private static final int LIMIT = 2;

    private final Kernel kernel = new Kernel(new KernelConfig(4, true, KernelConfig.DEFAULTS.timerThreads(),
            KernelConfig.DEFAULTS.eventLogCapacity(), new ObjectLimits(LIMIT, LIMIT, LIMIT)), Clock.system());
    private final PciAddress gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();

    @AfterEach
    void shutDown() {
        kernel.close();
    }

    /** Everything a refused create could have touched: the log, the objects and their ids, the device's counts. */
    private record Seen(long lastSeq, List<Long> timers, List<Long> works, List<Integer> files) {
    }

    private Seen seen() {
        var objects = kernel.novaCoreObjects().table();
        return new Seen(kernel.log().lastSeq(), objects.timers().stream().map(DriverTimer::id).toList(),
                objects.works().stream().map(DriverWork::id).toList(),
                objects.files().stream().map(DeviceFile::fd).toList());
    }

    private static DriverTimer.Spec oneshot(Scope scope) {
        return new DriverTimer.Spec(TimerMode.ONESHOT, 3_600_000_000_000L, 0, scope, Action.NOOP, Optional.empty());
    }

    private static DriverWork.Spec delayed(Scope scope) {
        return new DriverWork.Spec(3_600_000_000_000L, 0, scope, Action.NOOP);
    }

    private void refusedWithNoTrace(Runnable create) {
        var before = seen();
        var refused = catchThrowableOfType(KernelException.class, create::run);
        assertThat(refused.errno()).isEqualTo(Errno.ENOSPC);
        assertThat(seen()).isEqualTo(before);
    }

    @Test
    void aTimerPastTheLimitIsNotCreatedLoggedOrNumbered() {
        kernel.armTimer(gpu, oneshot(Scope.DEVICE));
        long last = kernel.armTimer(gpu, oneshot(Scope.MODULE)).id();

        refusedWithNoTrace(() -> kernel.armTimer(gpu, oneshot(Scope.DEVICE)));
        refusedWithNoTrace(() -> kernel.armTimer(gpu, oneshot(Scope.MODULE)));
        assertThat(kernel.log().since(0, Integer.MAX_VALUE)).filteredOn(e -> e.type().equals("timer.created"))
                .hasSize(LIMIT);

        kernel.novaCoreObjects().cancelTimer(last);
        assertThat(kernel.armTimer(gpu, oneshot(Scope.DEVICE)).id()).isEqualTo(last + 1);
    }

    @Test
    void aWorkItemPastTheLimitIsNotCreatedLoggedOrNumbered() {
        kernel.queueWork(gpu, delayed(Scope.DEVICE));
        long last = kernel.queueWork(gpu, delayed(Scope.MODULE)).id();

        refusedWithNoTrace(() -> kernel.queueWork(gpu, delayed(Scope.DEVICE)));
        refusedWithNoTrace(() -> kernel.queueWork(gpu, delayed(Scope.MODULE)));
        assertThat(kernel.log().since(0, Integer.MAX_VALUE)).filteredOn(e -> e.type().equals("work.created"))
                .hasSize(LIMIT);

        kernel.novaCoreObjects().cancelWork(last);
        assertThat(kernel.queueWork(gpu, delayed(Scope.DEVICE)).id()).isEqualTo(last + 1);
    }

    @Test
    void timersAndWorkShareTheIdsAndARefusalTakesNoneOfThem() {
        for (int i = 0; i < LIMIT; i++) {
            kernel.armTimer(gpu, oneshot(Scope.DEVICE));
        }
        long last = kernel.queueWork(gpu, delayed(Scope.DEVICE)).id();
        refusedWithNoTrace(() -> kernel.armTimer(gpu, oneshot(Scope.DEVICE)));
        assertThat(kernel.queueWork(gpu, delayed(Scope.DEVICE)).id()).isEqualTo(last + 1);
    }

    @Test
    void aFilePastTheLimitTakesNoDescriptor() {
        kernel.openFile(gpu);
        int last = kernel.openFile(gpu).fd();
        int refcount = kernel.module(NovaCoreDriver.NAME).refcount();

        refusedWithNoTrace(() -> kernel.openFile(gpu));
        assertThat(kernel.module(NovaCoreDriver.NAME).refcount()).isEqualTo(refcount);

        kernel.novaCoreObjects().closeFile(last);
        assertThat(kernel.openFile(gpu).fd()).isEqualTo(last + 1);
    }

    /** Opens that race for the last free slots: exactly the limit get in, whoever wins. */
    @Test
    void concurrentOpensDoNotOvershootTheLimit() throws Exception {
        int racers = 16;
        var start = new CountDownLatch(1);
        var tasks = new ArrayList<Callable<Boolean>>();
        for (int i = 0; i < racers; i++) {
            tasks.add(() -> {
                start.await();
                try {
                    kernel.openFile(gpu);
                    return true;
                } catch (KernelException full) {
                    assertThat(full.errno()).isEqualTo(Errno.ENOSPC);
                    return false;
                }
            });
        }
        try (var cpus = Executors.newFixedThreadPool(racers)) {
            var results = tasks.stream().map(cpus::submit).toList();
            start.countDown();
            long opened = 0;
            for (Future<Boolean> result : results) {
                opened += result.get() ? 1 : 0;
            }
            assertThat(opened).isEqualTo(LIMIT);
        }
        assertThat(kernel.novaCoreObjects().table().files()).hasSize(LIMIT);
        assertThat(kernel.module(NovaCoreDriver.NAME).refcount()).isEqualTo(LIMIT);
        assertThat(kernel.novaCoreObjects().table().files()).extracting(DeviceFile::fd).containsExactly(3, 4);
    }
}
