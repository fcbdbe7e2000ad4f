package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.NOVA_CORE;
import static dev.novahost.kernel.novacore.TestHost.PATIENCE;
import static dev.novahost.kernel.novacore.TestHost.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.module.ModuleState;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.Violation;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.task.Task;
import dev.novahost.kernel.task.TaskState;
import dev.novahost.kernel.timer.HrTimer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The four deadlock bugs under both policies (docs/DEADLOCKS.md's table): (a) lockdep's
 * {@code deadlock_possible} from an ordering that does not deadlock, or from the bug's first step before
 * anything waits, or none where the policy avoids the deadlock; (b) the real deadlock: the unbind task
 * goes {@code D} on the right wait with the right holder, the stuck callback is listed by the hung-task
 * detector, and a host reset breaks it and leaves the host clean, with no thread parked.
 */
class DeadlockBugsTest {

    private static final long MS = 1_000_000L;

    @RegisterExtension
    final TestHost host = TestHost.bootWithTimerCpus(4);

    private List<String> blocked() {
        return host.kernel().hungTasks().blocked().stream()
                .map(b -> b.task() + " | " + b.waitingFor() + " | " + b.holder()).toList();
    }

    private List<Violation> deadlocks() {
        return host.kernel().sanitizer().violations().stream()
                .filter(v -> v.kind() == ViolationKind.DEADLOCK_POSSIBLE).toList();
    }

    private Task unbindAsTask(PciAddress gpu) {
        return host.kernel().teardown().unbind(NOVA_CORE, gpu);
    }

    private static void awaitBlockedOn(Task task, String wait) {
        eventually().until(() -> task.status().state() == TaskState.D
                && task.status().blockedOn().equals(Optional.of(wait)));
    }

    /** A reset breaks the deadlock: the unbind finishes, nothing is blocked or parked, the host is empty. */
    private void resetBreaksIt(Task unbind, String brokenWait) {
        host.kernel().reset();
        assertThat(unbind.awaitDone(PATIENCE)).as("the stuck unbind finished").isTrue();
        assertThat(blocked()).isEmpty();
        assertThat(DriverLockTest.parkedInStuckWaits()).isEmpty();
        assertThat(host.kernel().bus().devices()).isEmpty();
        assertThat(host.kernel().log().since(0, Integer.MAX_VALUE)).filteredOn(e -> e.type().equals("wait.aborted"))
                .extracting(e -> e.message()).anySatisfy(line -> assertThat(line)
                        .endsWith("wait for " + brokenWait + " aborted by host reset"));
    }

    // --- cancelUnderLock ----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Policy.class)
    void cancelUnderLockIsReportedFromACallbackThatRanOnceEarlierAndAnUnbindThatCancelsTheIdleTimer(Policy policy) {
        var gpu = host.plugGpu(policy);
        var timer = host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, 0, 0, Scope.DEVICE,
                Action.LOCK, Optional.empty()));
        eventually().until(() -> timer.state() == HrTimer.State.EXPIRED);
        host.inject(Faults.of(Fault.CANCEL_UNDER_LOCK));

        host.unbind(gpu); // nothing deadlocks: the callback is not running

        assertThat(host.isBound(gpu)).isFalse();
        assertThat(deadlocks()).singleElement().satisfies(v -> {
            assertThat(v.outcome()).isEqualTo(Outcome.OCCURRED);
            assertThat(v.policy()).isEqualTo(policy);
            assertThat(v.message()).startsWith("WARNING: possible circular locking dependency detected")
                    .contains("(hrtimer)nova_timer_fn").contains("&nd->lock");
        });
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void cancelUnderLockDeadlocksAnUnbindAgainstItsRunningCallbackUntilAReset(Policy policy) throws Exception {
        var gpu = host.plugGpu(policy);
        var timer = host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, 200 * MS, 0, Scope.DEVICE,
                Action.LOCK, Optional.empty()));
        var hold = timer.holdNextCallback(); // its first run: the order (hrtimer) -> &nd->lock is new then
        assertThat(hold.awaitEntered(5, TimeUnit.SECONDS)).isTrue();
        host.inject(Faults.of(Fault.CANCEL_UNDER_LOCK));

        var unbind = unbindAsTask(gpu);
        awaitBlockedOn(unbind, "hrtimer_cancel(" + timer.name() + ")");
        hold.release(); // the callback goes on, into the lock remove() holds
        String callback = "nova_timer_fn " + timer.name();
        eventually().until(() -> blocked().containsAll(List.of(
                unbind.name() + " | hrtimer_cancel(" + timer.name() + ") | " + callback,
                callback + " | &nd->lock of " + gpu + " | " + unbind.name())));
        assertThat(deadlocks()).singleElement().satisfies(v -> assertThat(v.object()).isEqualTo(callback));
        assertThat(unbind.awaitDone(Duration.ofMillis(100))).as("really stuck").isFalse();

        resetBreaksIt(unbind, "&nd->lock of " + gpu);
    }

    /**
     * cancelUnderLock's deadlock on a revocable GPU: a {@code lock} timer's callback is in flight when
     * {@code teardown} (an unbind, an rmmod) starts; its remove() waits in hrtimer_cancel, and the callback,
     * let go, waits for the lock remove() holds. Returns the stuck task once both are blocked.
     */
    private Task deadlockedCancelUnderLock(Function<PciAddress, Task> teardown) throws Exception {
        var gpu = host.plugGpu(Policy.REVOCABLE);
        var timer = host.kernel().armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, 200 * MS, 0, Scope.DEVICE,
                Action.LOCK, Optional.empty()));
        var hold = timer.holdNextCallback();
        assertThat(hold.awaitEntered(5, TimeUnit.SECONDS)).isTrue();
        host.inject(Faults.of(Fault.CANCEL_UNDER_LOCK));

        var task = teardown.apply(gpu);
        awaitBlockedOn(task, "hrtimer_cancel(" + timer.name() + ")");
        hold.release();
        eventually().until(() -> blocked().contains("nova_timer_fn " + timer.name() + " | &nd->lock of " + gpu
                + " | " + task.name()));
        return task;
    }

    @Test
    void cancelUnderLockDeadlocksAnUnloadTooAndAResetBreaksIt() throws Exception {
        var rmmod = deadlockedCancelUnderLock(gpu -> host.kernel().teardown().unload(NOVA_CORE, UnloadMode.PIN));

        resetBreaksIt(rmmod, "&nd->lock of " + host.kernel().bus().devices().getFirst().address());
        assertThat(host.kernel().module(NOVA_CORE).state()).isEqualTo(ModuleState.UNLOADED);
    }

    @Test
    void anOrderlyShutdownBreaksTheDeadlockInsteadOfWaitingBehindTheStuckUnbind() throws Exception {
        var unbind = deadlockedCancelUnderLock(this::unbindAsTask);

        var shutdown = Thread.ofPlatform().start(host.kernel()::shutdown); // waited behind &dev->mutex before
        shutdown.join(PATIENCE);

        assertThat(shutdown.isAlive()).as("the shutdown finished").isFalse();
        assertThat(unbind.awaitDone(PATIENCE)).isTrue();
        assertThat(blocked()).isEmpty();
        assertThat(DriverLockTest.parkedInStuckWaits()).isEmpty();
        assertThat(host.kernel().log().since(0, Integer.MAX_VALUE)).filteredOn(e -> e.type().equals("wait.aborted"))
                .extracting(e -> e.message()).anySatisfy(line -> assertThat(line).endsWith("aborted by host shutdown"));
    }

    // --- cancelWorkFromItself, flushOwnQueue --------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Policy.class)
    void cancelWorkFromItselfIsReportedAsRecursionBeforeItWaitsThenDeadlocksTheUnbindUntilAReset(Policy policy)
            throws Exception {
        selfWait(policy, Fault.CANCEL_WORK_FROM_ITSELF, "(work_completion)nova_work_fn",
                work -> "cancel_work_sync(" + work.name() + ")");
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void flushOwnQueueIsReportedAsRecursionBeforeItWaitsThenDeadlocksTheUnbindUntilAReset(Policy policy)
            throws Exception {
        selfWait(policy, Fault.FLUSH_OWN_QUEUE, "(wq_completion)events", work -> "flush_workqueue(events)");
    }

    private void selfWait(Policy policy, Fault bug, String recursiveClass,
                          Function<DriverWork, String> itsWait) throws Exception {
        var gpu = host.plugGpu(policy);
        var work = host.kernel().queueWork(gpu, new DriverWork.Spec(0, Long.MAX_VALUE, Scope.DEVICE, Action.NOOP));
        var hold = work.holdNextRun();
        assertThat(hold.awaitEntered(5, TimeUnit.SECONDS)).isTrue();
        host.inject(Faults.of(bug));
        assertThat(deadlocks()).as("the function has not waited for itself yet").isEmpty();

        var unbind = unbindAsTask(gpu);
        awaitBlockedOn(unbind, "cancel_work_sync(" + work.name() + ")");
        hold.release(); // remove() has begun: the function now waits for itself
        String function = "nova_work_fn " + work.name();
        eventually().until(() -> blocked().containsAll(List.of(
                unbind.name() + " | cancel_work_sync(" + work.name() + ") | " + function,
                function + " | " + itsWait.apply(work) + " | " + function)));
        assertThat(deadlocks()).as("(a) reported before it waited, with nothing else needed").singleElement()
                .satisfies(v -> {
                    assertThat(v.object()).isEqualTo(function);
                    assertThat(v.policy()).isEqualTo(policy);
                    assertThat(v.timeline()).singleElement().satisfies(line -> {
                        assertThat(line.type()).isEqualTo("lockdep.recursive");
                        assertThat(line.message()).contains(recursiveClass);
                    });
                });
        assertThat(unbind.awaitDone(Duration.ofMillis(100))).as("really stuck").isFalse();

        resetBreaksIt(unbind, itsWait.apply(work));
    }

    // --- freeIrqUnderLock ---------------------------------------------------------------------------

    @Test
    void freeIrqUnderLockIsReportedUnderFencedFromAHandlerThatRanOnceEarlierAndAnUnbindThatFreesTheIdleIrq() {
        var gpu = host.plugGpu(Policy.FENCED);
        handleOneInterrupt(gpu);
        host.inject(Faults.of(Fault.FREE_IRQ_UNDER_LOCK));

        host.unbind(gpu);

        assertThat(deadlocks()).singleElement().satisfies(v -> assertThat(v.message())
                .startsWith("WARNING: possible circular locking dependency detected"));
        assertThat(host.kernel().lockdep().found().getFirst().first().cycle()).extracting(c -> c.name())
                .containsExactlyInAnyOrder("&nd->lock", "(irq)nova");
    }

    @Test
    void freeIrqUnderLockDeadlocksAFencedUnbindAgainstItsRunningHandlerUntilAReset() throws Exception {
        var gpu = host.plugGpu(Policy.FENCED);
        var handler = host.kernel().novaCore(gpu).irq().orElseThrow();
        var hold = handler.holdNextRun();
        host.raiseAlarmIn(gpu, Duration.ofMillis(1));
        assertThat(hold.awaitEntered(5, TimeUnit.SECONDS)).isTrue();
        host.inject(Faults.of(Fault.FREE_IRQ_UNDER_LOCK));

        var unbind = unbindAsTask(gpu);
        awaitBlockedOn(unbind, "free_irq(irq " + gpu + ")");
        hold.release();
        String irq = "irq/nova " + gpu;
        eventually().until(() -> blocked().containsAll(List.of(
                unbind.name() + " | free_irq(irq " + gpu + ") | " + irq,
                irq + " | &nd->lock of " + gpu + " | " + unbind.name())));
        assertThat(deadlocks()).singleElement().satisfies(v -> assertThat(v.object()).isEqualTo(irq));

        resetBreaksIt(unbind, "&nd->lock of " + gpu);
    }

    /** Revocable: devres frees the IRQ after remove() returned, with no lock held, so neither a report nor a hang. */
    @Test
    void freeIrqUnderLockIsAvoidedUnderRevocable() throws Exception {
        var gpu = host.plugGpu(Policy.REVOCABLE);
        handleOneInterrupt(gpu);
        var handler = host.kernel().novaCore(gpu).irq().orElseThrow();
        var hold = handler.holdNextRun();
        host.raiseAlarmIn(gpu, Duration.ofMillis(1));
        assertThat(hold.awaitEntered(5, TimeUnit.SECONDS)).isTrue();
        host.inject(Faults.of(Fault.FREE_IRQ_UNDER_LOCK));

        var unbind = unbindAsTask(gpu);
        awaitBlockedOn(unbind, "free_irq(irq " + gpu + ")"); // devres's free_irq waits for the handler, lock free
        hold.release();

        assertThat(unbind.awaitDone(PATIENCE)).isTrue();
        assertThat(unbind.result().orElseThrow().succeeded()).isTrue();
        assertThat(deadlocks()).isEmpty();
        assertThat(blocked()).isEmpty();
    }

    private void handleOneInterrupt(PciAddress gpu) {
        long before = host.kernel().log().since(0, Integer.MAX_VALUE).stream()
                .filter(e -> e.type().equals("irq.fired")).count();
        host.raiseAlarmIn(gpu, Duration.ofMillis(1));
        eventually().until(() -> host.kernel().log().since(0, Integer.MAX_VALUE).stream()
                .filter(e -> e.type().equals("irq.fired")).count() > before
                && host.kernel().novaCore(gpu).lock().owner() == null);
        assertThat(host.kernel().lockdep().dependencies()).extracting(d -> d.before().name() + " -> " + d.after().name())
                .contains("(irq)nova -> &nd->lock");
    }
}
