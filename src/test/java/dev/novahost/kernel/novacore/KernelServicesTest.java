package dev.novahost.kernel.novacore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.Bar0;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 14: the rules about timers, work items and files live in their kernel services, which the
 * HTTP API's controllers use alone; here they hold without the API. A work item's owner is checked
 * once, by the driver, for another device as for an earlier binding.
 */
class KernelServicesTest {

    private static final long HOUR = 3_600_000_000_000L;

    private final Kernel kernel = new Kernel(new KernelConfig(4, true, 2, 10_000), Clock.system());
    private final PciAddress gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
    private final PciAddress other = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();

    @AfterEach
    void shutDown() {
        kernel.close();
    }

    private static KernelException refused(Errno errno, Executable call) {
        var refused = catchThrowableOfType(KernelException.class, () -> call.execute());
        assertThat(refused).isNotNull();
        assertThat(refused.errno()).isEqualTo(errno);
        return refused;
    }

    private DriverWork work(PciAddress device) {
        return kernel.work().queue(device, new DriverWork.Spec(HOUR, 0, Scope.DEVICE, Action.NOOP));
    }

    private DriverTimer.Spec queueing(Optional<DriverWork> target) {
        return new DriverTimer.Spec(TimerMode.ONESHOT, HOUR, 0, Scope.DEVICE, Action.QUEUE_WORK, target);
    }

    @Test
    void onlyAQueueWorkTimerNamesAWorkItemAndItMustExist() {
        var timers = kernel.timers();
        var work = work(gpu);
        assertThat(refused(Errno.EINVAL, () -> new DriverTimer.Spec(TimerMode.ONESHOT, HOUR, 0, Scope.DEVICE,
                Action.NOOP, Optional.of(work)))).hasMessageContaining("work is only for the queue-work action");
        assertThat(refused(Errno.EINVAL, () -> queueing(Optional.empty())))
                .hasMessageContaining("A queue-work timer needs 'work'");
        assertThat(refused(Errno.EINVAL, () -> timers.target(Optional.of(999L))))
                .hasMessageContaining("There is no work item 999");
        assertThat(timers.target(Optional.empty())).isEmpty();
        assertThat(timers.target(Optional.of(work.id()))).containsSame(work);
    }

    /** The rules of a timer or work item are the spec's own, whoever builds it: the API, a scenario, a test. */
    @Test
    void aSpecRefusesWhatNoTimerOrWorkItemCanBe() {
        long min = DriverTimer.Spec.MIN_PERIOD_NS;
        assertThat(refused(Errno.EINVAL, () -> timer(TimerMode.PERIODIC, 0, min - 1)))
                .hasMessage("a periodic timer needs 'periodNs' of at least 10000 ns (10 µs), was 9999");
        assertThat(refused(Errno.EINVAL, () -> timer(TimerMode.PERIODIC, 0, HOUR + 1)))
                .hasMessageContaining("periodNs must be between 10000 and " + HOUR);
        assertThat(refused(Errno.EINVAL, () -> timer(TimerMode.ONESHOT, 0, min)))
                .hasMessage("periodNs is for periodic timers; a oneshot timer has none");
        assertThat(refused(Errno.EINVAL, () -> timer(TimerMode.ONESHOT, -1, 0))).hasMessageContaining("delayNs");
        assertThat(refused(Errno.EINVAL, () -> timer(TimerMode.ONESHOT, HOUR + 1, 0))).hasMessageContaining("delayNs");
        assertThat(timer(TimerMode.PERIODIC, HOUR, min).periodNs()).isEqualTo(min);

        assertThat(refused(Errno.EINVAL, () -> new DriverWork.Spec(-1, 0, Scope.DEVICE, Action.NOOP)))
                .hasMessageContaining("delayNs");
        assertThat(refused(Errno.EINVAL, () -> new DriverWork.Spec(0, -1, Scope.DEVICE, Action.NOOP)))
                .hasMessageContaining("requeue");
        assertThat(refused(Errno.EINVAL, () -> new DriverWork.Spec(HOUR + 1, 0, Scope.DEVICE, Action.NOOP)))
                .hasMessageContaining("delayNs");
        assertThat(new DriverWork.Spec(HOUR, Long.MAX_VALUE, Scope.DEVICE, Action.NOOP).requeue()).isEqualTo(Long.MAX_VALUE);
    }

    private static DriverTimer.Spec timer(TimerMode mode, long delayNs, long periodNs) {
        return new DriverTimer.Spec(mode, delayNs, periodNs, Scope.DEVICE, Action.NOOP, Optional.empty());
    }

    @Test
    void aTimerQueuesOnlyTheWorkOfItsOwnDevice() {
        var foreign = work(other);
        var target = kernel.timers().target(Optional.of(foreign.id()));

        assertThat(refused(Errno.EINVAL, () -> kernel.timers().arm(gpu, queueing(target))))
                .hasMessageContaining("belongs to " + other + ", not to " + gpu);
        assertThat(kernel.timers().of(gpu)).isEmpty();

        var own = kernel.timers().arm(other, queueing(target));
        assertThat(kernel.timers().of(other)).containsExactly(own);
        assertThat(kernel.timers().cancel(own.id())).isSameAs(own);
        assertThat(refused(Errno.ENOENT, () -> kernel.timers().get(own.id()))).hasMessageContaining("No timer");
    }

    @Test
    void aWorkItemCannotQueueWork() {
        assertThat(refused(Errno.EINVAL, () -> kernel.work().queue(gpu,
                new DriverWork.Spec(0, 0, Scope.DEVICE, Action.QUEUE_WORK))))
                .hasMessage("queue-work is a timer action; work items read-ptimer, touch-bar or noop");
        assertThat(kernel.work().all()).isEmpty();

        var work = work(gpu);
        assertThat(kernel.work().of(gpu)).containsExactly(work);
        assertThat(kernel.work().of(other)).isEmpty();
        assertThat(kernel.work().cancel(work.id())).isSameAs(work);
        assertThat(kernel.work().all()).isEmpty();
    }

    @Test
    void aFileReadsItsDeviceUntilClosed() {
        var files = kernel.files();
        var file = files.open(gpu);
        assertThat(files.of(gpu)).containsExactly(file);
        assertThat(files.read(file.fd(), Bar0.NV_PMC_BOOT_0)).isEqualTo(kernel.mmio().read(gpu, Bar0.NV_PMC_BOOT_0));

        files.close(file.fd());
        assertThat(refused(Errno.EBADF, () -> files.get(file.fd()))).hasMessageContaining("is not an open");
        assertThat(refused(Errno.ENODEV, () -> files.of(PciAddress.parse("0000:7f:00.0")))).isNotNull();
    }

    /** The rule the faults routes keep, held by the kernel's service rather than the controller. */
    @Test
    void onlyNovaCoreHasInjectableFaults() {
        var faults = kernel.faultService();
        kernel.driverCore().declare("ahci");
        assertThat(refused(Errno.ENOENT, () -> faults.of("nouveau"))).hasMessageContaining("No driver named 'nouveau'");
        assertThat(refused(Errno.EINVAL, () -> faults.set("ahci", Faults.of(Fault.LEAK_REGION))))
                .hasMessage("Driver ahci has no injectable faults");
        assertThat(faults.of(NovaCoreDriver.NAME)).isEqualTo(Faults.NONE);

        var set = faults.set(NovaCoreDriver.NAME, Faults.of(Fault.LEAK_REGION));
        assertThat(set.attrs()).isEqualTo(Faults.of(Fault.LEAK_REGION).attrs());
        assertThat(set.seed()).as("the seed the injector picked, kept to repeat the run").isPresent();
        assertThat(kernel.faults()).isEqualTo(set);
    }

    /** Unplug, then the device is gone for every lookup; a module is found by name and insmod twice is EEXIST. */
    @Test
    void devicesAndModulesAreServicesOfTheirOwn() {
        var devices = kernel.devices();
        assertThat(devices.binding(devices.get(gpu))).hasValueSatisfying(
                binding -> assertThat(binding.driver().name()).isEqualTo(NovaCoreDriver.NAME));
        devices.hotUnplug(gpu);
        assertThat(devices.all()).extracting(device -> device.address()).containsExactly(other);
        assertThat(refused(Errno.ENODEV, () -> devices.get(gpu))).hasMessage("No device at " + gpu);

        var modules = kernel.moduleService();
        assertThat(modules.all()).containsExactly(modules.get(NovaCoreDriver.NAME));
        assertThat(refused(Errno.EEXIST, () -> modules.load(NovaCoreDriver.NAME))).isNotNull();
        assertThat(refused(Errno.ENOENT, () -> modules.get("nouveau"))).hasMessage("No module named 'nouveau'");
    }
}
