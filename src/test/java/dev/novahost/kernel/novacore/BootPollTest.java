package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.errnoOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.fault.FaultAttr;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.fault.InjectionPoint;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Probe's wait for boot complete ({@code read_poll_timeout} on {@code NV_PGC6_AON_SECURE_SCRATCH_GROUP_05})
 * on virtual time: the poll moves the clock itself, so it never hangs the thread that advances time; a GPU
 * that boots in time binds, one that never completes (the injected point) fails with {@code ETIMEDOUT}
 * exactly at the deadline, devres unwinds, and the next bind succeeds.
 */
class BootPollTest {

    private final VirtualClock clock = new VirtualClock();
    private final TimerEngine engine = TimerEngine.virtual(clock);
    private final Kernel kernel = new Kernel(new KernelConfig(4, false), engine);

    @AfterEach
    void shutDown() {
        kernel.close();
    }

    @Test
    void aGpuThatBootsInTimeBindsAfterItsBootTime() {
        kernel.load(NovaCoreDriver.NAME);
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1);
        kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu.address());
        gpu.bar0().setBootNs(35_000);
        long start = clock.nanoTime();

        kernel.driverCore().bind(NovaCoreDriver.NAME, gpu.address());

        assertThat(kernel.driverCore().binding(gpu).isPresent()).isTrue();
        // reads every 10 us: not done at +0, +10, +20, +30; done at +40
        assertThat(clock.nanoTime() - start).isEqualTo(40_000);
    }

    @Test
    void theDefaultBootTakesNoDeviceTime() {
        kernel.load(NovaCoreDriver.NAME);
        long start = clock.nanoTime();
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1);
        assertThat(kernel.driverCore().binding(gpu).isPresent()).isTrue();
        assertThat(clock.nanoTime()).isEqualTo(start);
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void aGpuThatNeverCompletesTimesOutExactlyAtTheDeadline(Policy policy) {
        kernel.load(NovaCoreDriver.NAME);
        kernel.driverCore().setPolicy(NovaCoreDriver.NAME, policy);
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1);
        kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu.address());
        kernel.setFaults(new Faults(Map.of(), Map.of(InjectionPoint.READ_POLL_TIMEOUT,
                new Faults.Injection(new FaultAttr(100, 1, 1, 0, 1, Optional.empty()), Errno.ETIMEDOUT)),
                Optional.empty(), OptionalLong.of(7)));
        clock.advanceTo(1_234_567);
        long start = clock.nanoTime();

        assertThat(errnoOf(() -> kernel.driverCore().bind(NovaCoreDriver.NAME, gpu.address()))).isEqualTo(Errno.ETIMEDOUT);

        assertThat(clock.nanoTime() - start).as("ETIMEDOUT at the deadline, not at once").isEqualTo(NovaCoreDriver.BOOT_TIMEOUT_NS);
        assertThat(kernel.driverCore().binding(gpu).isPresent()).isFalse();
        assertThat(gpu.isRegionHeld()).isFalse();
        assertThat(gpu.isEnabled()).isFalse();
        assertThat(kernel.sanitizer().violations()).noneMatch(v -> v.kind() == ViolationKind.DEVRES_LEAK);
        assertThat(kernel.faultInjector().injected("read_poll_timeout")).isEqualTo(1);
        assertThat(gpu.bar0().read32(Bar0.NV_PGC6_AON_SECURE_SCRATCH_GROUP_05)).as("the boot hung").isZero();

        kernel.driverCore().bind(NovaCoreDriver.NAME, gpu.address()); // times 1: spent, the GPU boots again
        assertThat(kernel.driverCore().binding(gpu).isPresent()).isTrue();
    }

    @Test
    void onRealTimeAStoppedClockDoesNotKeepThePollForEver() {
        var stopped = new dev.novahost.kernel.ManualClock(0);
        try (var real = new Kernel(new KernelConfig(4, true), stopped)) {
            real.setFaults(new Faults(Map.of(), Map.of(InjectionPoint.READ_POLL_TIMEOUT,
                    new Faults.Injection(new FaultAttr(100, 1, 1, 0, 1, Optional.empty()), Errno.ETIMEDOUT)),
                    Optional.empty(), OptionalLong.of(7)));
            var gpu = real.hotplug(Chipset.GA102, Optional.empty(), 0xa1);
            assertThat(real.driverCore().binding(gpu).isPresent()).as("the autoprobe timed out").isFalse();
            real.driverCore().bind(NovaCoreDriver.NAME, gpu.address());
            assertThat(real.driverCore().binding(gpu).isPresent()).isTrue();
        }
    }
}
