package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.NOVA_CORE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.InjectionPoint;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.ArrayList;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * fail-nth over nova-core's probe: each fallible step fails once, in probe order, with the errno the real
 * call returns; the bind returns it, devres unwinds what the steps before acquired (no leak), the device
 * stays unbound and the next bind succeeds.
 */
class ProbeInjectionTest {

    @RegisterExtension
    final TestHost host = TestHost.boot();

    @ParameterizedTest
    @EnumSource(Policy.class)
    void everyFallibleStepOfProbeFailsOnceAndUnwindsCleanly(Policy policy) {
        var gpu = host.plugGpu(policy);
        host.unbind(gpu);
        var injector = host.kernel().faultInjector();
        var walked = new ArrayList<InjectionPoint>();
        for (long n = 1; ; n++) {
            try (var nth = injector.failNth(n)) {
                try {
                    host.kernel().driverCore().bind(NOVA_CORE, gpu);
                } catch (KernelException failed) {
                    var point = nth.failed().orElseThrow();
                    walked.add(point);
                    assertThat(failed.errno()).isEqualTo(point.defaultErrno());
                    assertThat(host.isBound(gpu)).isFalse();
                    assertThat(host.kernel().bus().get(gpu).isRegionHeld()).as("region released").isFalse();
                    continue;
                }
                assertThat(nth.failed()).as("the walk is over: no step left to fail").isEmpty();
            }
            break;
        }
        assertThat(walked).containsExactly(InjectionPoint.PCI_ENABLE_DEVICE, InjectionPoint.PCI_REQUEST_REGION,
                InjectionPoint.PCI_IOMAP, InjectionPoint.KZALLOC, InjectionPoint.REQUEST_IRQ, InjectionPoint.REQUEST_FIRMWARE,
                InjectionPoint.READ_POLL_TIMEOUT);
        assertThat(walked).as("probe order is the enum's, which the injectable list gives")
                .containsExactly(InjectionPoint.values());
        assertThat(host.isBound(gpu)).isTrue();
        assertThat(host.kernel().sanitizer().violations()).noneMatch(v -> v.kind() == ViolationKind.DEVRES_LEAK);
    }
}
