package dev.novahost.kernel.novacore;

import dev.novahost.kernel.work.WorkItem;
import dev.novahost.kernel.fault.Faults;
import static dev.novahost.kernel.novacore.TestHost.PATIENCE;
import static dev.novahost.kernel.novacore.TestHost.Seen.occurred;
import static dev.novahost.kernel.novacore.TestHost.Seen.prevented;
import static dev.novahost.kernel.novacore.TestHost.errnoOf;
import static dev.novahost.kernel.novacore.TestHost.eventually;
import static dev.novahost.kernel.sanitizer.ViolationKind.DEVRES_LEAK;
import static dev.novahost.kernel.sanitizer.ViolationKind.IRQ_AFTER_REMOVE;
import static dev.novahost.kernel.sanitizer.ViolationKind.MMIO_AFTER_REVOKE;
import static dev.novahost.kernel.sanitizer.ViolationKind.TIMER_AFTER_REMOVE;
import static dev.novahost.kernel.sanitizer.ViolationKind.TIMER_FREE_ACTIVE;
import static dev.novahost.kernel.sanitizer.ViolationKind.WORK_AFTER_REMOVE;
import static dev.novahost.kernel.sanitizer.ViolationKind.WORK_FREE_ACTIVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.timer.HrTimer;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each injected driver bug under each lifecycle policy (DESIGN.md §4, §6): the C driver's remove()
 * leaves a step out; under {@code fenced} what it forgot runs into freed memory and the sanitizer says
 * it occurred; under {@code revocable} and {@code srcu} the framework (the devres drop, the revoked BAR, the devres
 * safety net) saves it and the sanitizer says it was prevented. Every violation's timeline starts at
 * the creation of the object it is about (the probe, for the device's own BAR region).
 *
 * <p>The machine has one timer CPU, so callbacks run one at a time in deadline order: that is what
 * lets the timer → work race of the thread be placed exactly instead of hoped for.
 */
class FaultPolicyMatrixTest {

    private static final long MS = 1_000_000L;
    private static final int GA102_A1_BOOT_0 = 0x172000a1;
    private static final Duration NO_HANG = Duration.ofSeconds(15);

    /** A driver bug and the story that makes it bite: set up, unbind, then wait for what follows. */
    enum Bug {
        NONE(Faults.NONE) {
            @Override
            void play(TestHost host, PciAddress gpu, Policy policy) {
                var timer = host.kernel().armTimer(gpu, periodic(MS, Action.TOUCH_BAR));
                var work = host.kernel().queueWork(gpu, delayed(200 * MS));
                var file = host.kernel().openFile(gpu);
                eventually().until(() -> timer.expirations() >= 2);

                host.unbind(gpu);

                assertThat(timer.state()).isEqualTo(HrTimer.State.CANCELLED);
                // remove()'s cancel_work_sync leaves it usable; a revocable drop disables it for good
                assertThat(work.state()).isEqualTo(policy.revokesAtUnbind() ? WorkItem.State.CANCELLED : WorkItem.State.IDLE);
                assertThat(file.state()).isEqualTo(policy == Policy.FENCED ? DeviceFile.State.DISCONNECTED : DeviceFile.State.OPEN);
            }
        },
        FORGET_TIMER_CANCEL(TestHost.forgetTimerCancel()) {
            @Override
            void play(TestHost host, PciAddress gpu, Policy policy) {
                var timer = host.kernel().armTimer(gpu, periodic(100 * MS, Action.TOUCH_BAR));

                host.unbind(gpu);

                if (policy == Policy.FENCED) {
                    host.awaitSeen(occurred(TIMER_AFTER_REMOVE));
                    eventually().until(() -> !timer.isActive());
                } else {
                    assertThat(timer.state()).as("the drop cancelled it for good").isEqualTo(HrTimer.State.CANCELLED);
                }
            }
        },
        FORGET_WORK_CANCEL(TestHost.forgetWorkCancel()) {
            @Override
            void play(TestHost host, PciAddress gpu, Policy policy) {
                var work = host.kernel().queueWork(gpu, delayed(200 * MS));

                host.unbind(gpu);

                if (policy == Policy.FENCED) {
                    host.awaitSeen(occurred(WORK_AFTER_REMOVE));
                } else {
                    assertThat(work.state()).as("the drop disabled it").isEqualTo(WorkItem.State.CANCELLED);
                }
            }
        },
        FORGET_FILE_DISCONNECT(TestHost.forgetFileDisconnect()) {
            @Override
            void play(TestHost host, PciAddress gpu, Policy policy) {
                var file = host.kernel().openFile(gpu);
                assertThat(file.read(Bar0.NV_PMC_BOOT_0)).isEqualTo(GA102_A1_BOOT_0);

                host.unbind(gpu);

                assertThat(errnoOf(() -> file.read(Bar0.NV_PMC_BOOT_0)))
                        .isEqualTo(policy == Policy.FENCED ? Errno.ENXIO : Errno.ENODEV);
            }
        },
        FORGET_IRQ_FREE(TestHost.forgetIrqFree()) {
            @Override
            void play(TestHost host, PciAddress gpu, Policy policy) {
                var irqs = host.kernel().bus().irqAccounting();
                long unhandled = irqs.unhandled();
                host.raiseAlarmIn(gpu, Duration.ofMillis(150));

                host.unbind(gpu);

                eventually().until(() -> irqs.unhandled() > unhandled);
            }
        },
        LEAK_REGION(TestHost.leakRegion()) {
            @Override
            void play(TestHost host, PciAddress gpu, Policy policy) {
                host.unbind(gpu);

                if (policy == Policy.FENCED) {
                    assertThat(errnoOf(() -> host.bind(gpu))).isEqualTo(Errno.EBUSY);
                    assertThat(host.isBound(gpu)).isFalse();
                } else {
                    host.bind(gpu);
                    assertThat(host.isBound(gpu)).isTrue();
                }
            }
        },
        WRONG_CANCEL_ORDER(TestHost.wrongCancelOrder()) {
            @Override
            void play(TestHost host, PciAddress gpu, Policy policy) throws Exception {
                var chain = unbindWhileTimerQueuesWork(host, gpu, this);

                if (policy == Policy.FENCED) {
                    assertThat(chain.work().state()).as("queued after its cancel, freed pending").isEqualTo(WorkItem.State.PENDING);
                    chain.timerCpu().release();
                    host.awaitSeen(occurred(WORK_AFTER_REMOVE));
                } else {
                    assertThat(chain.work().state()).as("the drop disabled it").isEqualTo(WorkItem.State.CANCELLED);
                    chain.timerCpu().release();
                }
            }
        },
        PROBE_FAILURE(TestHost.probeFailure(Errno.EIO)) {
            @Override
            void play(TestHost host, PciAddress gpu, Policy policy) {
                assertThat(host.isBound(gpu)).as("autoprobe at hot-plug failed too").isFalse();

                assertThat(errnoOf(() -> host.bind(gpu))).isEqualTo(Errno.EIO);

                var device = host.kernel().bus().get(gpu);
                assertThat(host.isBound(gpu)).isFalse();
                assertThat(device.isEnabled()).as("pci_enable_device undone").isFalse();
                assertThat(device.isRegionHeld()).as("BAR0 region released").isFalse();
                assertThat(device.irq().handler()).as("IRQ handler freed").isEmpty();
            }
        };

        final Faults faults;

        Bug(Faults faults) {
            this.faults = faults;
        }

        abstract void play(TestHost host, PciAddress gpu, Policy policy) throws Exception;
    }

    @RegisterExtension
    private final TestHost host = TestHost.bootWithTimerCpus(1);

    static Stream<Arguments> cells() {
        return Stream.of(
                cell(Bug.NONE, Policy.FENCED),
                cell(Bug.NONE, Policy.REVOCABLE),
                cell(Bug.NONE, Policy.SRCU),
                cell(Bug.FORGET_TIMER_CANCEL, Policy.FENCED, occurred(TIMER_FREE_ACTIVE), occurred(TIMER_AFTER_REMOVE)),
                cell(Bug.FORGET_TIMER_CANCEL, Policy.REVOCABLE, prevented(TIMER_FREE_ACTIVE)),
                cell(Bug.FORGET_TIMER_CANCEL, Policy.SRCU, prevented(TIMER_FREE_ACTIVE)),
                cell(Bug.FORGET_WORK_CANCEL, Policy.FENCED, occurred(WORK_FREE_ACTIVE), occurred(WORK_AFTER_REMOVE)),
                cell(Bug.FORGET_WORK_CANCEL, Policy.REVOCABLE, prevented(WORK_FREE_ACTIVE)),
                cell(Bug.FORGET_WORK_CANCEL, Policy.SRCU, prevented(WORK_FREE_ACTIVE)),
                cell(Bug.FORGET_FILE_DISCONNECT, Policy.FENCED, occurred(MMIO_AFTER_REVOKE)),
                cell(Bug.FORGET_FILE_DISCONNECT, Policy.REVOCABLE, prevented(MMIO_AFTER_REVOKE)),
                cell(Bug.FORGET_FILE_DISCONNECT, Policy.SRCU, prevented(MMIO_AFTER_REVOKE)),
                cell(Bug.FORGET_IRQ_FREE, Policy.FENCED, occurred(IRQ_AFTER_REMOVE)),
                cell(Bug.FORGET_IRQ_FREE, Policy.REVOCABLE, prevented(IRQ_AFTER_REMOVE)),
                cell(Bug.FORGET_IRQ_FREE, Policy.SRCU, prevented(IRQ_AFTER_REMOVE)),
                cell(Bug.LEAK_REGION, Policy.FENCED, occurred(DEVRES_LEAK)),
                cell(Bug.LEAK_REGION, Policy.REVOCABLE, prevented(DEVRES_LEAK)),
                cell(Bug.LEAK_REGION, Policy.SRCU, prevented(DEVRES_LEAK)),
                cell(Bug.WRONG_CANCEL_ORDER, Policy.FENCED, occurred(WORK_FREE_ACTIVE), occurred(WORK_AFTER_REMOVE)),
                cell(Bug.WRONG_CANCEL_ORDER, Policy.REVOCABLE, prevented(WORK_FREE_ACTIVE)),
                cell(Bug.WRONG_CANCEL_ORDER, Policy.SRCU, prevented(WORK_FREE_ACTIVE)),
                cell(Bug.PROBE_FAILURE, Policy.FENCED),
                cell(Bug.PROBE_FAILURE, Policy.REVOCABLE),
                cell(Bug.PROBE_FAILURE, Policy.SRCU));
    }

    private static Arguments cell(Bug bug, Policy policy, TestHost.Seen... expected) {
        return Arguments.of(bug, policy, Set.of(expected));
    }

    @ParameterizedTest(name = "{0} under {1}: {2}")
    @MethodSource("cells")
    void eachBugUnderEachPolicy(Bug bug, Policy policy, Set<TestHost.Seen> expected) {
        assertTimeoutPreemptively(NO_HANG, () -> {
            host.usePolicy(policy);
            host.inject(bug.faults);
            var gpu = host.plugGpu();

            bug.play(host, gpu, policy);

            assertThat(host.seen()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(host.kernel().sanitizer().violations()).as("each seen once: a stopped callback stays stopped")
                    .allSatisfy(v -> assertThat(v.count()).isOne());
            host.assertTimelinesStartAtCreation();
        });
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void theTimerThatQueuesWorkIsCancelledBeforeTheWork(Policy policy) {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu(policy);

            var chain = unbindWhileTimerQueuesWork(host, gpu, Bug.NONE);

            // cancel_work_sync after its last queueing leaves it idle; a revocable drop then disables it
            assertThat(chain.work().state()).as("cancelled after its last queueing")
                    .isEqualTo(policy.revokesAtUnbind() ? WorkItem.State.CANCELLED : WorkItem.State.IDLE);
            chain.timerCpu().release();
            assertThat(host.seen()).isEmpty();
        });
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void anAlarmAfterACorrectUnbindIsUnhandled(Policy policy) {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu(policy);
            var irqs = host.kernel().bus().irqAccounting();
            long handled = irqs.handled();
            long unhandled = irqs.unhandled();
            host.raiseAlarmIn(gpu, Duration.ofMillis(50));

            host.unbind(gpu);

            eventually().until(() -> irqs.unhandled() > unhandled);
            assertThat(irqs.handled()).isEqualTo(handled);
            assertThat(host.seen()).isEmpty();
        });
    }

    @ParameterizedTest(name = "under {0}")
    @EnumSource(Policy.class)
    void aFileOpAfterACorrectUnbindIsEnodev(Policy policy) {
        assertTimeoutPreemptively(NO_HANG, () -> {
            var gpu = host.plugGpu(policy);
            var file = host.kernel().openFile(gpu);

            host.unbind(gpu);

            assertThat(errnoOf(() -> file.read(Bar0.NV_PMC_BOOT_0))).isEqualTo(Errno.ENODEV);
            assertThat(host.seen()).isEqualTo(policy.revokesAtUnbind()
                    ? Set.of(prevented(MMIO_AFTER_REVOKE)) : Set.of());
            host.assertTimelinesStartAtCreation();
        });
    }

    /** The work the timer queues, and the hold that keeps the only timer CPU busy behind it. */
    record Chain(DriverWork work, CallbackHold timerCpu) {
    }

    /**
     * The timer → work chain of the thread: a periodic timer queues a work item. Its callback is held
     * in flight while unbind starts on another CPU, and let go once remove() has cancelled what it
     * cancels first (the work, in the wrong order; nothing yet, in the right one), so the callback
     * queues the work exactly then. Meanwhile another GPU's timer falls due; it runs next on the timer
     * CPU and is held there, so the queued work stays pending until unbind has returned. The caller
     * releases the timer CPU.
     */
    static Chain unbindWhileTimerQueuesWork(TestHost host, PciAddress gpu, Bug bug) throws Exception {
        var kernel = host.kernel();
        var work = kernel.queueWork(gpu, new DriverWork.Spec(0, 0, Scope.DEVICE, Action.NOOP));
        eventually().until(() -> work.executions() == 1);
        var timer = kernel.armTimer(gpu, new DriverTimer.Spec(TimerMode.PERIODIC, MS, MS, Scope.DEVICE,
                Action.QUEUE_WORK, Optional.of(work)));
        var inFlight = timer.holdNextCallback();
        assertThat(inFlight.awaitEntered(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        var otherGpu = host.plugGpu();
        var otherTimer = kernel.armTimer(otherGpu, new DriverTimer.Spec(TimerMode.ONESHOT, 1_000, 0, Scope.DEVICE,
                Action.NOOP, Optional.empty()));
        var timerCpu = otherTimer.holdNextCallback();

        var unbinding = host.unbindElsewhere(gpu);
        if (bug == Bug.WRONG_CANCEL_ORDER) {
            host.awaitLogged(gpu, work.name(), "work.cancelled");
        } else {
            host.awaitLogged(gpu, "", "driver.remove");
        }
        inFlight.release();
        unbinding.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(timerCpu.awaitEntered(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .as("the other GPU's timer holds the timer CPU").isTrue();
        return new Chain(work, timerCpu);
    }

    private static DriverTimer.Spec periodic(long periodNs, Action action) {
        return new DriverTimer.Spec(TimerMode.PERIODIC, periodNs, periodNs, Scope.DEVICE, action, Optional.empty());
    }

    private static DriverWork.Spec delayed(long delayNs) {
        return new DriverWork.Spec(delayNs, 0, Scope.DEVICE, Action.NOOP);
    }
}
