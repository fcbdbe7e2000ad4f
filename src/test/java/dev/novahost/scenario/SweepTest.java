package dev.novahost.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.driver.PciDriver;
import dev.novahost.kernel.driver.ProbeContext;
import dev.novahost.kernel.fault.CallSite;
import dev.novahost.kernel.fault.FaultInjector;
import dev.novahost.kernel.fault.InjectionPoint;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciDevice;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The sweep fails each fallible step of a bind once: nova-core's probe unwinds every one cleanly under both
 * policies, and a driver that claims BAR0's region without putting its release on the devres list is caught
 * at exactly the steps that fail after the claim, with the failed check and the step's timeline.
 */
class SweepTest {

    private final ScenarioRunner runner = new ScenarioRunner();

    @Test
    void theDefaultBindUnwindsEveryStepCleanlyUnderBothPolicies() {
        var threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        var result = runner.sweep(Sweep.Operation.BIND, Sweep.NOVA_CORE, Chipset.GA102, List.of(Policy.REVOCABLE, Policy.FENCED));
        long wallMillis = (System.nanoTime() - start) / 1_000_000;
        long cpuMillis = (threads.getCurrentThreadCpuTime() - cpu) / 1_000_000;
        System.out.println("sweep of nova-core's bind, both policies: " + wallMillis + " ms wall, " + cpuMillis + " ms CPU");

        assertThat(cpuMillis).as("a sweep costs well under a second of CPU, class loading included").isLessThan(1000);

        assertThat(result.passed()).isTrue();
        assertThat(result.walks()).containsOnlyKeys("revocable", "fenced");
        result.walks().values().forEach(walk -> {
            var steps = walk.steps();
            assertThat(steps.stream().map(Sweep.StepVerdict::point).filter(p -> p != null).toList())
                    .as("every point probe has, in probe order").containsSubsequence("pci_enable_device",
                            "pci_request_region", "pci_iomap", "kzalloc", "request_irq");
            assertThat(steps).allSatisfy(step -> {
                assertThat(step.passed()).as("step %d (%s): %s", step.n(), step.point(), step.checks()).isTrue();
                assertThat(step.timeline()).isEmpty();
            });
            assertThat(steps.getLast().point()).as("the walk ends with the bind that went through").isNull();
            assertThat(steps.getFirst().checks()).extracting(Sweep.Check::name)
                    .containsExactly("errno", "devres-reverse", "no-leak", "unbound", "rebind");
        });
        var iomapFailed = step(result.walks().get("fenced"), "pci_iomap");
        assertThat(iomapFailed.errno()).isEqualTo("ENOMEM");
        assertThat(iomapFailed.checks().get(1).detail()).contains("released [pci_request_region BAR0, pci_enable_device]");
    }

    @Test
    void insmodProbingAPluggedGpuUnwindsEveryStepAndItsProbeFailedLineHasTheErrno() {
        var result = runner.sweep(Sweep.Operation.LOAD, Sweep.NOVA_CORE, Chipset.GA102, List.of(Policy.REVOCABLE, Policy.FENCED));

        assertThat(result.operation()).isEqualTo("load");
        assertThat(result.passed()).as("%s", result).isTrue();
        assertThat(step(result.walks().get("revocable"), "kzalloc").checks().getFirst().detail())
                .isEqualTo("the probe insmod made failed with -ENOMEM; kzalloc failed with -ENOMEM");
    }

    @Test
    void aChipNovaCoreDoesNotSupportIsRefusedBeforeAnyWalk() {
        assertThatThrownBy(() -> runner.sweep(Sweep.Operation.BIND, Sweep.NOVA_CORE, Chipset.GP102, List.of(Policy.FENCED)))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("nova-core does not support GP102");
    }

    @ParameterizedTest
    @EnumSource(Sweep.Operation.class)
    void aRegionClaimedOutsideDevresIsCaughtAtEveryStepAfterIt(Sweep.Operation operation) {
        var result = runner.sweep(operation, new LeakyTarget(), Chipset.GA102, List.of(Policy.REVOCABLE, Policy.FENCED));

        assertThat(result.passed()).isFalse();
        result.walks().values().forEach(walk -> {
            assertThat(walk.steps()).extracting(Sweep.StepVerdict::point).containsExactly("pci_enable_device",
                    "pci_request_region", "pci_iomap", "kzalloc", null);
            assertThat(walk.steps()).extracting(Sweep.StepVerdict::passed).containsExactly(true, true, false, false, true);
            for (var step : walk.steps().subList(2, 4)) {
                assertThat(step.checks()).filteredOn(check -> !check.passed()).extracting(Sweep.Check::name)
                        .containsExactly("no-leak", "rebind");
                assertThat(step.checks().get(2).detail()).contains("BAR0 region still claimed");
                assertThat(step.checks().get(4).detail()).contains("EBUSY");
                assertThat(step.timeline()).anyMatch(line -> line.contains("FAULT_INJECTION: forcing a failure"))
                        .anyMatch(line -> line.contains("devres release: pci_enable_device"));
            }
        });
    }

    /** The walk's step that failed {@code point}: found by name, so that points probe gains later shift nothing here. */
    private static Sweep.StepVerdict step(Sweep.Walk walk, String point) {
        return walk.steps().stream().filter(step -> point.equals(step.point())).findFirst().orElseThrow();
    }

    /** The leaky driver, registered in each fresh kernel. */
    private static final class LeakyTarget implements Sweep.Target {

        @Override
        public String driver() {
            return LeakyDriver.NAME;
        }

        @Override
        public void install(Kernel kernel, Policy policy) {
            kernel.driverCore().declare(LeakyDriver.NAME);
            kernel.driverCore().setPolicy(LeakyDriver.NAME, policy);
            kernel.driverCore().registerDriver(new LeakyDriver(kernel.faultInjector()));
        }
    }

    /** Claims BAR0's region with the unmanaged call and nothing on the devres list: remove() frees it, a failed probe does not. */
    private record LeakyDriver(FaultInjector injector) implements PciDriver<String> {

        static final String NAME = "leaky-pci";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public boolean matches(PciDevice device) {
            return device.vendorId() == Chipset.VENDOR_NVIDIA;
        }

        @Override
        public String probe(ProbeContext ctx) {
            var device = ctx.device();
            fallible(InjectionPoint.PCI_ENABLE_DEVICE, device);
            device.enable();
            ctx.devres().add("pci_enable_device", device::disable);
            fallible(InjectionPoint.PCI_REQUEST_REGION, device);
            device.requestRegion(NAME); // the bug: no devres entry releases it
            fallible(InjectionPoint.PCI_IOMAP, device);
            ctx.devres().add("pci_iomap", () -> { });
            fallible(InjectionPoint.KZALLOC, device);
            ctx.devres().add("drvdata", () -> { });
            return "data";
        }

        @Override
        public void remove(BoundDevice bound, String data) {
            bound.device().releaseRegion();
        }

        private void fallible(InjectionPoint point, PciDevice device) {
            Optional<Errno> errno = injector.fail(point, CallSite.PROBE, device.address().toString());
            if (errno.isPresent()) {
                throw KernelException.of(errno.get(), point.word() + " failed (injected)");
            }
        }
    }
}
