package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.errnoOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.FaultAttr;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.fault.InjectionPoint;
import dev.novahost.kernel.firmware.FirmwareStore;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Probe's {@code request_firmware}: the chip's {@code booter_load} image must be in the store with the
 * right header magic. Missing (or the injected point) is {@code ENOENT} with the loader's line; a bad
 * magic is {@code EINVAL}; either way devres unwinds, nothing leaks, and a bind after the file is back
 * succeeds.
 */
class FirmwareProbeTest {

    private static final String GA102_FW = "nvidia/ga102/gsp/booter_load-535.113.01.bin";

    @RegisterExtension
    final TestHost host = TestHost.boot();

    @ParameterizedTest
    @EnumSource(Policy.class)
    void aMissingFirmwareFailsProbeWithEnoentAndTheLoadersLine(Policy policy) {
        var gpu = unboundGpu(policy);
        var image = store().get(GA102_FW);
        store().delete(GA102_FW);

        assertThat(errnoOf(() -> host.bind(gpu))).isEqualTo(Errno.ENOENT);
        assertUnwound(gpu);
        assertThat(lines()).anyMatch(line -> line.endsWith(gpu + ": Direct firmware load for " + GA102_FW
                + " failed with error -2"));

        store().put(GA102_FW, image);
        host.bind(gpu);
        assertThat(host.isBound(gpu)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void aWrongHeaderMagicFailsProbeWithEinval(Policy policy) {
        var gpu = unboundGpu(policy);
        var image = store().get(GA102_FW);
        store().put(GA102_FW, FirmwareStore.image(0xbad, new byte[16]));

        assertThat(errnoOf(() -> host.bind(gpu))).isEqualTo(Errno.EINVAL);
        assertUnwound(gpu);
        store().put(GA102_FW, new byte[3]);
        assertThat(errnoOf(() -> host.bind(gpu))).as("shorter than the header").isEqualTo(Errno.EINVAL);
        assertUnwound(gpu);

        store().put(GA102_FW, image);
        host.bind(gpu);
        assertThat(host.isBound(gpu)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void theInjectedPointFailsAsAMissingFileDoes(Policy policy) {
        var gpu = unboundGpu(policy);
        host.inject(new Faults(Map.of(), Map.of(InjectionPoint.REQUEST_FIRMWARE,
                new Faults.Injection(new FaultAttr(100, 1, 1, 0, 1, Optional.empty()), Errno.ENOENT)),
                Optional.empty(), OptionalLong.of(1)));

        assertThat(errnoOf(() -> host.bind(gpu))).isEqualTo(Errno.ENOENT);
        assertUnwound(gpu);
        assertThat(lines()).anyMatch(line -> line.endsWith("Direct firmware load for " + GA102_FW + " failed with error -2"));
        assertThat(host.kernel().faultInjector().injected("request_firmware")).isEqualTo(1);

        host.bind(gpu); // times 1: spent
        assertThat(host.isBound(gpu)).isTrue();
    }

    /** On real time the poll sleeps between reads and gives up once the 10 ms timeout has passed, not at once. */
    @ParameterizedTest
    @EnumSource(Policy.class)
    void aGpuThatNeverCompletesBootTimesOutAfterTheTimeoutOnRealTime(Policy policy) {
        var gpu = unboundGpu(policy);
        host.inject(new Faults(Map.of(), Map.of(InjectionPoint.READ_POLL_TIMEOUT,
                new Faults.Injection(new FaultAttr(100, 1, 1, 0, 1, Optional.empty()), Errno.ETIMEDOUT)),
                Optional.empty(), OptionalLong.of(1)));
        long start = host.kernel().clock().nanoTime();

        assertThat(errnoOf(() -> host.bind(gpu))).isEqualTo(Errno.ETIMEDOUT);

        assertThat(host.kernel().clock().nanoTime() - start).isGreaterThanOrEqualTo(NovaCoreDriver.BOOT_TIMEOUT_NS);
        assertUnwound(gpu);
        host.bind(gpu);
        assertThat(host.isBound(gpu)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void everySupportedChipsetBindsWithThePreinstalledFirmware(Policy policy) {
        host.usePolicy(policy);
        for (Chipset chipset : Chipset.values()) {
            if (chipset.supported()) {
                var gpu = host.kernel().hotplug(chipset, Optional.empty(), 0xa1).address();
                assertThat(host.isBound(gpu)).as(chipset.name()).isTrue();
                host.kernel().hotUnplug(gpu);
            }
        }
    }

    private PciAddress unboundGpu(Policy policy) {
        var gpu = host.plugGpu(policy);
        host.unbind(gpu);
        return gpu;
    }

    private FirmwareStore store() {
        return host.kernel().firmware();
    }

    private void assertUnwound(PciAddress gpu) {
        assertThat(host.isBound(gpu)).isFalse();
        var device = host.kernel().bus().get(gpu);
        assertThat(device.isRegionHeld()).as("region released").isFalse();
        assertThat(device.isEnabled()).as("device disabled").isFalse();
        assertThat(host.kernel().sanitizer().violations()).noneMatch(v -> v.kind() == ViolationKind.DEVRES_LEAK);
    }

    private java.util.List<String> lines() {
        return host.kernel().log().since(0, Integer.MAX_VALUE).stream().map(e -> e.event().message()).toList();
    }
}
