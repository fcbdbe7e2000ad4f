package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.NOVA_CORE;
import static dev.novahost.kernel.novacore.TestHost.PATIENCE;
import static dev.novahost.kernel.novacore.TestHost.errnoOf;
import static dev.novahost.kernel.novacore.TestHost.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.Violation;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.task.Task;
import dev.novahost.kernel.task.TaskState;
import dev.novahost.kernel.timer.HrTimer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code srcu} policy (issue 18): BAR0 is revoked at unbind as under {@code revocable}, and a
 * callback's whole run is one read-side section that the revocation waits for. So a late access is
 * refused and reported prevented; an unbind waits for a callback sleeping in its section, whose access
 * then succeeds; and a reader that never leaves its section hangs the unbind until a host reset.
 */
class SrcuPolicyTest {

    private static final long MS = 1_000_000L;

    @RegisterExtension
    final TestHost host = TestHost.bootWithTimerCpus(4);

    /** A module-scope timer: it outlives the binding, so remove() leaves it and only the BAR's revocation meets it. */
    private DriverTimer moduleTimer(PciAddress gpu, long delayNs, Action action) {
        return host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, delayNs, 0, Scope.MODULE, action,
                Optional.empty()));
    }

    private List<Violation> violations() {
        return host.kernel().sanitizer().violations();
    }

    private static String revokeOf(PciAddress gpu) {
        return "revoke(" + NovaCoreDriver.DEVRES_IOMAP + " of " + gpu + ")";
    }

    private static void awaitBlockedOn(Task task, String wait) {
        eventually().until(() -> task.status().state() == TaskState.D
                && task.status().blockedOn().equals(Optional.of(wait)));
    }

    @Test
    void theWireWordsAreThreeAndTwoOfThemRevokeAtUnbind() {
        assertThat(Arrays.stream(Policy.values()).map(WireWord::of)).containsExactly("revocable", "fenced", "srcu");
        assertThat(Policy.values()).filteredOn(Policy::revokesAtUnbind).containsExactly(Policy.REVOCABLE, Policy.SRCU);
    }

    @Test
    void anAccessAfterUnbindIsRefusedWithEnodevAndACallbackRefusedAtItsSectionsEntryIsPrevented() {
        var gpu = host.plugGpu(Policy.SRCU);
        var data = host.kernel().novaCore(gpu);
        assertThat(data.bar().policy()).isEqualTo(Policy.SRCU);
        var timer = host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.PERIODIC, MS, MS, Scope.MODULE,
                Action.TOUCH_BAR, Optional.empty()));
        eventually().until(() -> timer.expirations() > 0);

        host.unbind(gpu);

        assertThat(errnoOf(() -> data.bar().read32(0))).isEqualTo(Errno.ENODEV);
        assertThat(errnoOf(() -> data.bar().write32(0x9400, 1))).isEqualTo(Errno.ENODEV);
        eventually().until(() -> !violations().isEmpty());
        assertThat(violations()).first().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(ViolationKind.MMIO_AFTER_REVOKE);
            assertThat(v.outcome()).isEqualTo(Outcome.PREVENTED);
            assertThat(v.policy()).isEqualTo(Policy.SRCU);
            assertThat(v.object()).isEqualTo(timer.name());
            assertThat(v.message()).endsWith("read-side section refused at entry");
        });
        assertThat(violations()).allSatisfy(v -> assertThat(v.outcome()).isEqualTo(Outcome.PREVENTED));
        assertThat(timer.state()).as("a refused periodic timer re-arms, as under revocable")
                .isIn(HrTimer.State.ARMED, HrTimer.State.RUNNING);
    }

    @Test
    void anUnbindWaitsForACallbackSleepingInItsSectionAndTheAccessInItSucceeds() throws Exception {
        var gpu = host.plugGpu(Policy.SRCU);
        var timer = moduleTimer(gpu, 200 * MS, Action.TOUCH_BAR);
        var hold = timer.holdNextCallback(); // the callback sleeps inside its section until let go
        assertThat(hold.awaitEntered(5, TimeUnit.SECONDS)).isTrue();

        var unbind = host.kernel().teardown().unbind(NOVA_CORE, gpu);
        awaitBlockedOn(unbind, revokeOf(gpu)); // synchronize_srcu: remove() has returned, devres waits
        assertThat(unbind.awaitDone(Duration.ofMillis(100))).as("waits for the slowest reader").isFalse();
        assertThat(host.kernel().lockdep().dependencies()).anySatisfy(order -> {
            assertThat(order.before().name()).isEqualTo("(hrtimer)nova_timer_fn");
            assertThat(order.after().name()).isEqualTo("(srcu)BAR0");
        });
        hold.release();

        assertThat(unbind.awaitDone(PATIENCE)).isTrue();
        assertThat(host.isBound(gpu)).isFalse();
        assertThat(violations()).as("the access inside the section reached a mapped BAR").isEmpty();
        assertThat(timer.expirations()).isEqualTo(1);
    }

    /** The same with a real sleep: {@code holdNs} elapses inside the section, and unbind returns only after it. */
    @Test
    void anUnbindWaitsOutACallbacksHoldNsInsideItsSection() {
        var gpu = host.plugGpu(Policy.SRCU);
        var timer = host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, 0, 0, Scope.MODULE,
                Action.TOUCH_BAR, Optional.empty(), new CallbackDelay(CallbackDelay.MAX_NS)));
        host.awaitLogged(gpu, timer.name(), "timer.fired"); // now sleeping its second inside the section

        host.unbind(gpu);

        assertThat(timer.state()).as("the callback had ended when unbind returned").isEqualTo(HrTimer.State.EXPIRED);
        assertThat(violations()).as("its access reached a mapped BAR").isEmpty();
    }

    @Test
    void underRevocableTheSameUnbindDoesNotWaitAndTheCallbacksAccessIsRefused() throws Exception {
        var gpu = host.plugGpu(Policy.REVOCABLE);
        var timer = moduleTimer(gpu, 200 * MS, Action.TOUCH_BAR);
        var hold = timer.holdNextCallback();
        assertThat(hold.awaitEntered(5, TimeUnit.SECONDS)).isTrue();

        host.unbind(gpu); // returns at once: the held callback registered nowhere
        hold.release();

        eventually().until(() -> !violations().isEmpty());
        assertThat(violations()).singleElement().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(ViolationKind.MMIO_AFTER_REVOKE);
            assertThat(v.outcome()).isEqualTo(Outcome.PREVENTED);
        });
    }

    @Test
    void aBlockReaderThatNeverLeavesItsSectionHangsTheUnbindUntilAHostReset() {
        var gpu = host.plugGpu(Policy.SRCU);
        var timer = moduleTimer(gpu, 0, Action.BLOCK);
        eventually().until(timer::isBlocked);

        var unbind = host.kernel().teardown().unbind(NOVA_CORE, gpu);
        awaitBlockedOn(unbind, revokeOf(gpu));
        String callback = "nova_timer_fn " + timer.name();
        assertThat(host.kernel().hungTasks().blocked()).extracting(b -> b.task() + " | " + b.waitingFor())
                .contains(unbind.name() + " | " + revokeOf(gpu), callback + " | release of " + timer.name());
        assertThat(host.kernel().lockdep().dependencies()).anySatisfy(order -> {
            assertThat(order.before().name()).isEqualTo("&dev->mutex");
            assertThat(order.after().name()).isEqualTo("(srcu)BAR0");
            assertThat(order.takenAt()).isEqualTo("revoke");
        }).anySatisfy(order -> {
            assertThat(order.before().name()).isEqualTo("(hrtimer)nova_timer_fn");
            assertThat(order.after().name()).isEqualTo("(srcu)BAR0");
            assertThat(order.takenAt()).isEqualTo("nova_timer_fn");
        });
        assertThat(unbind.awaitDone(Duration.ofMillis(100))).as("really stuck").isFalse();

        host.kernel().reset(); // breaks the reader's wait: it leaves its section, the revocation ends

        assertThat(unbind.awaitDone(PATIENCE)).as("the stuck unbind finished").isTrue();
        assertThat(host.kernel().hungTasks().blocked()).isEmpty();
        assertThat(DriverLockTest.parkedInStuckWaits()).isEmpty();
        assertThat(host.kernel().bus().devices()).isEmpty();
    }

    @Test
    void underRevocableABlockReaderAtModuleScopeDoesNotHoldUpTheUnbind() {
        var gpu = host.plugGpu(Policy.REVOCABLE);
        var timer = moduleTimer(gpu, 0, Action.BLOCK);
        eventually().until(timer::isBlocked);

        host.unbind(gpu);

        assertThat(host.isBound(gpu)).isFalse();
        timer.release();
    }
}
