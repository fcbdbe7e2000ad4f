package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.errnoOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On virtual time every callback runs on the thread that advances the clock (a scenario's), so a wait
 * only another thread could end would hang it: {@code block} is refused, and a wait that would block
 * for ever is abandoned at once ({@code wait.aborted}), after lockdep has seen and reported it.
 */
class VirtualTimeWaitsTest {

    private static final long MS = 1_000_000L;

    private final VirtualClock clock = new VirtualClock();
    private final TimerEngine engine = TimerEngine.virtual(clock);
    private final Kernel kernel = new Kernel(new KernelConfig(4, true), engine);

    @AfterEach
    void shutDown() {
        kernel.close();
    }

    @Test
    void blockIsRefusedOnVirtualTime() {
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
        assertThat(errnoOf(() -> kernel.armTimer(gpu, new DriverTimer.Spec(TimerMode.ONESHOT, 0, 0, Scope.DEVICE,
                Action.BLOCK, Optional.empty())))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> kernel.queueWork(gpu, new DriverWork.Spec(0, 0, Scope.DEVICE, Action.BLOCK))))
                .isEqualTo(Errno.EINVAL);
    }

    @Test
    void cancelUnderLockIsReportedOnVirtualTimeWithoutBlockingTheClocksThread() {
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
        kernel.armTimer(gpu, new DriverTimer.Spec(TimerMode.PERIODIC, MS, MS, Scope.DEVICE, Action.LOCK,
                Optional.empty()));
        engine.advanceTo(clock.nanoTime() + MS); // the callback ran once: (hrtimer) -> &nd->lock
        kernel.setFaults(Faults.of(Fault.CANCEL_UNDER_LOCK));

        kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu);

        assertThat(kernel.sanitizer().violations()).extracting(v -> v.kind()).containsExactly(ViolationKind.DEADLOCK_POSSIBLE);
        assertThat(kernel.hungTasks().blocked()).isEmpty();
    }

    @Test
    void aWorkFunctionWaitingForItselfOnVirtualTimeIsReportedAndAbandoned() {
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
        var work = kernel.queueWork(gpu, new DriverWork.Spec(MS, 0, Scope.DEVICE, Action.NOOP));
        kernel.setFaults(Faults.of(Fault.CANCEL_WORK_FROM_ITSELF));
        kernel.log().subscribe(event -> {
            if (event.type().equals("driver.remove")) {
                engine.advanceTo(clock.nanoTime() + MS); // the work runs now, inside remove(), on this thread
            }
        });

        kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu);

        assertThat(kernel.sanitizer().violations()).singleElement().satisfies(v -> {
            assertThat(v.kind()).isEqualTo(ViolationKind.DEADLOCK_POSSIBLE);
            assertThat(v.timeline()).extracting(e -> e.type()).containsExactly("lockdep.recursive");
        });
        assertThat(kernel.log().since(0, Integer.MAX_VALUE)).filteredOn(e -> e.type().equals("wait.aborted"))
                .extracting(e -> e.message()).isEqualTo(List.of("nova_work_fn " + work.name()
                        + ": wait for cancel_work_sync(" + work.name() + ") aborted by virtual time (no other thread"
                        + " could end it)"));
    }
}
