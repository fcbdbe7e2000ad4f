package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.errnoOf;
import static dev.novahost.kernel.novacore.TestHost.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.hungtask.HungTaskDetector;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.timer.HrTimer;
import dev.novahost.kernel.work.WorkItem;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The driver lock {@code &nd->lock} and the {@code lock} and {@code block} callback actions: a {@code lock}
 * callback takes the lock for its run (lockdep sees the order), a contended one really blocks and is
 * blocked in the hung-task detector's eyes, naming the holder; a {@code block} callback waits to be
 * released; and a host reset breaks both, leaving no thread parked.
 */
class DriverLockTest {

    @RegisterExtension
    final TestHost host = TestHost.bootWithTimerCpus(4); // three callbacks blocked at once, and one more

    private DriverTimer oneshot(PciAddress gpu, Action action) {
        return host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, 0, 0, Scope.DEVICE, action,
                Optional.empty()));
    }

    private List<String> blocked() {
        return host.kernel().hungTasks().blocked().stream()
                .map(b -> b.task() + " | " + b.waitingFor() + " | " + b.holder()).toList();
    }

    @Test
    void aLockCallbackTakesTheDriverLockForItsRunAndLockdepSeesTheOrder() {
        var gpu = host.plugGpu();
        var timer = oneshot(gpu, Action.LOCK);
        eventually().until(() -> timer.state() == HrTimer.State.EXPIRED);
        var work = host.kernel().queueWork(gpu, new DriverWork.Spec(0, 0, Scope.DEVICE, Action.LOCK));
        eventually().until(() -> work.executions() == 1);

        assertThat(host.kernel().lockdep().dependencies()).extracting(d -> d.before().name() + " -> " + d.after().name())
                .contains("(hrtimer)nova_timer_fn -> &nd->lock", "(work_completion)nova_work_fn -> &nd->lock");
        assertThat(host.kernel().novaCore(gpu).lock().owner()).isNull();
        assertThat(host.kernel().sanitizer().violations()).isEmpty();
        host.unbind(gpu);
        assertThat(host.kernel().sanitizer().violations()).isEmpty();
    }

    @Test
    void aContendedLockReallyBlocksAndIsReportedWithItsHolderUntilTheHolderLetsGo() {
        var gpu = host.plugGpu();
        var data = host.kernel().novaCore(gpu);
        String me = Thread.currentThread().getName();
        DriverTimer timer;
        try (var held = data.lock().lock("test")) {
            assertThat(held.acquired()).isTrue();
            assertThat(data.lock().owner()).isEqualTo(me);
            timer = oneshot(gpu, Action.LOCK);
            eventually().until(() -> blocked().contains("nova_timer_fn " + timer.name() + " | &nd->lock of " + gpu
                    + " | " + me));
            assertThat(timer.state()).isEqualTo(HrTimer.State.RUNNING);
        }
        eventually().until(() -> timer.state() == HrTimer.State.EXPIRED);
        assertThat(blocked()).isEmpty();
    }

    @Test
    void aBlockCallbackWaitsUntilReleasedAndOnlyABlockedOneCanBeReleased() {
        var gpu = host.plugGpu();
        var timer = oneshot(gpu, Action.BLOCK);
        eventually().until(timer::isBlocked);
        assertThat(blocked()).containsExactly("nova_timer_fn " + timer.name() + " | release of " + timer.name()
                + " | userspace (POST /api/v1/devices/" + gpu + "/timers/" + timer.id() + "/release)");
        assertThat(timer.state()).isEqualTo(HrTimer.State.RUNNING);

        host.kernel().timers().release(gpu, timer.id());
        eventually().until(() -> timer.state() == HrTimer.State.EXPIRED);
        assertThat(blocked()).isEmpty();
        assertThat(errnoOf(() -> host.kernel().timers().release(gpu, timer.id()))).isEqualTo(Errno.EINVAL);

        var noop = oneshot(gpu, Action.NOOP);
        assertThat(errnoOf(() -> host.kernel().timers().release(gpu, noop.id()))).isEqualTo(Errno.EINVAL);
        var other = host.plugGpu();
        assertThat(errnoOf(() -> host.kernel().timers().release(other, timer.id()))).isEqualTo(Errno.ENOENT);
        assertThat(errnoOf(() -> host.kernel().timers().release(gpu, 999_999))).isEqualTo(Errno.ENOENT);

        var work = host.kernel().queueWork(gpu, new DriverWork.Spec(0, 0, Scope.DEVICE, Action.BLOCK));
        eventually().until(work::isBlocked);
        assertThat(work.state()).isEqualTo(WorkItem.State.RUNNING);
        host.kernel().work().release(gpu, work.id());
        eventually().until(() -> work.executions() == 1);
        assertThat(host.kernel().sanitizer().violations()).isEmpty();
    }

    @Test
    void aHostResetBreaksEveryStuckWaitAndLeavesNoThreadParked() {
        var gpu = host.plugGpu();
        var data = host.kernel().novaCore(gpu);
        var blockedTimer = host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.PERIODIC, 0, 1_000_000,
                Scope.DEVICE, Action.BLOCK, Optional.empty()));
        var blockedWork = host.kernel().queueWork(gpu, new DriverWork.Spec(0, 0, Scope.DEVICE, Action.BLOCK));
        var locker = Thread.ofPlatform().name("lock holder").start(() -> {
            try (var held = data.lock().lock("test")) {
                parkUntilInterrupted();
            }
        });
        eventually().until(() -> data.lock().owner() != null);
        var lockTimer = oneshot(gpu, Action.LOCK);
        eventually().until(() -> blocked().size() == 3);

        host.kernel().reset();

        assertThat(blocked()).isEmpty();
        assertThat(host.kernel().log().since(0, Integer.MAX_VALUE)).filteredOn(e -> e.type().equals("wait.aborted"))
                .extracting(e -> e.message()).contains(
                        "nova_timer_fn " + blockedTimer.name() + ": wait for release of " + blockedTimer.name()
                                + " aborted by host reset",
                        "nova_work_fn " + blockedWork.name() + ": wait for release of " + blockedWork.name()
                                + " aborted by host reset",
                        "nova_timer_fn " + lockTimer.name() + ": wait for &nd->lock of " + gpu + " aborted by host reset");
        assertThat(host.kernel().bus().devices()).isEmpty();
        assertThat(parkedInStuckWaits()).isEmpty();
        locker.interrupt();
    }

    @Test
    void closingTheKernelBreaksStuckWaitsSoNoCallbackThreadOutlivesIt() {
        var gpu = host.plugGpu();
        var timer = oneshot(gpu, Action.BLOCK);
        eventually().until(timer::isBlocked);

        host.kernel().close();

        eventually().until(() -> parkedInStuckWaits().isEmpty());
        assertThat(blocked()).isEmpty();
        assertThat(host.kernel().log().since(0, Integer.MAX_VALUE)).filteredOn(e -> e.type().equals("wait.aborted"))
                .extracting(e -> e.message()).containsExactly("nova_timer_fn " + timer.name() + ": wait for release of "
                        + timer.name() + " aborted by host shutdown");
    }

    private static void parkUntilInterrupted() {
        Object never = new Object();
        synchronized (never) {
            try {
                never.wait();
            } catch (InterruptedException done) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Threads whose stack is in a stuck wait of the model now. */
    static List<String> parkedInStuckWaits() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(StuckWaits.class.getName())))
                .map(e -> e.getKey().getName()).toList();
    }

    static HungTaskDetector.Blocked only(List<HungTaskDetector.Blocked> blocked) {
        assertThat(blocked).hasSize(1);
        return blocked.getFirst();
    }
}
