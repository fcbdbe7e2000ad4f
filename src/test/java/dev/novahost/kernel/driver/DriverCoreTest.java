package dev.novahost.kernel.driver;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.timer.TimerEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.ManualClock;
import dev.novahost.kernel.events.DevresEvent;
import dev.novahost.kernel.events.DeviceEvent;
import dev.novahost.kernel.events.DriverEvent;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.KernelEvent;
import dev.novahost.kernel.module.ModuleState;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.novacore.BarAccounting;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.DeviceState;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciBus;
import dev.novahost.kernel.pci.PciDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The driver core as sysfs, insmod/rmmod and hot-plug drive it (DESIGN.md §3-4): every errno of bind
 * and unbind, devres release in reverse order after a failed probe and at unbind, autoprobe at module
 * load and hot-plug, and what a BAR handle does under each policy once its device is unbound.
 */
class DriverCoreTest {

    private static final String NOVA_CORE = NovaCoreDriver.NAME;
    private static final List<String> PROBE_FAILURE_RELEASES =
            List.of("pci_iomap BAR0", "pci_request_region BAR0", "pci_enable_device");
    private static final List<String> UNBIND_RELEASES =
            List.of("request_irq PTIMER alarm", "driver data", "pci_iomap BAR0", "pci_request_region BAR0",
                    "pci_enable_device");
    /** A fenced remove() frees the IRQ itself (devm_free_irq), before it returns: devres has it no more. */
    private static final List<String> FENCED_UNBIND_RELEASES = UNBIND_RELEASES.subList(1, UNBIND_RELEASES.size());
    private static final int GA102_A1_BOOT_0 = 0x172000a1;

    private final ManualClock clock = new ManualClock(0);
    private final RecordingObserver trace = new RecordingObserver();

    private Kernel kernel(boolean novaCoreLoaded) {
        return new Kernel(new KernelConfig(16, novaCoreLoaded), clock, List.of(trace));
    }

    private EventLog eventsTo(Consumer<KernelEvent> observer) {
        var events = new EventLog(clock, 64);
        events.observe(observer);
        return events;
    }

    private static PciDevice plug(Kernel kernel, Chipset chipset) {
        return kernel.hotplug(chipset, Optional.empty(), 0xa1);
    }

    private static boolean isBound(Kernel kernel, PciDevice device) {
        return kernel.driverCore().binding(device).isPresent();
    }

    /** The call fails with {@code errno}; returns the exception for further checks. */
    private static KernelException failure(ThrowingCallable call, Errno errno) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(KernelException.class);
        var e = (KernelException) thrown;
        assertThat(e.errno()).as("errno of \"%s\"", e.getMessage()).isEqualTo(errno);
        return e;
    }

    private static void assertReleased(PciDevice device) {
        assertThat(device.isEnabled()).as("device enabled").isFalse();
        assertThat(device.isRegionHeld()).as("BAR0 region held").isFalse();
    }

    @Test
    void nothingIsLeftBoundOrHeldAfterAFullCycle() {
        var kernel = kernel(true);
        var gpu = plug(kernel, Chipset.GA102);
        kernel.driverCore().unbind(NOVA_CORE, gpu.address());
        kernel.driverCore().bind(NOVA_CORE, gpu.address());
        kernel.unload(NOVA_CORE, UnloadMode.PIN);
        kernel.hotUnplug(gpu.address());

        assertReleased(gpu);
        assertThat(kernel.bus().devices()).isEmpty();
        assertThatCode(() -> kernel.load(NOVA_CORE)).doesNotThrowAnyException();
    }

    @Nested
    class BindAndUnbindErrors {

        @Test
        void bindingAnUnknownDeviceIsEnodevNotFound() {
            var kernel = kernel(true);

            var e = failure(() -> kernel.driverCore().bind(NOVA_CORE, PciAddress.parse("0000:42:00.0")), Errno.ENODEV);

            assertThat(e.lookup()).isTrue();
        }

        @Test
        void bindingWhileTheModuleIsNotLoadedIsEnoent() {
            var kernel = kernel(false);
            var gpu = plug(kernel, Chipset.GA102);

            var e = failure(() -> kernel.driverCore().bind(NOVA_CORE, gpu.address()), Errno.ENOENT);

            assertThat(e.lookup()).isTrue();
            assertThat(isBound(kernel, gpu)).isFalse();
            assertThat(gpu.isEnabled()).isFalse();
        }

        @Test
        void bindingABoundDeviceIsEbusyAndKeepsTheBinding() {
            var kernel = kernel(true);
            var gpu = plug(kernel, Chipset.GA102);
            var before = kernel.novaCore(gpu.address());

            failure(() -> kernel.driverCore().bind(NOVA_CORE, gpu.address()), Errno.EBUSY);

            assertThat(kernel.novaCore(gpu.address())).isSameAs(before);
            assertThat(kernel.mmio().read(gpu.address(), Bar0.NV_PMC_BOOT_0)).isEqualTo(GA102_A1_BOOT_0);
        }

        @Test
        void unbindingAnUnboundDeviceIsEnodev() {
            var kernel = kernel(true);
            var gpu = plug(kernel, Chipset.GA102);
            kernel.driverCore().unbind(NOVA_CORE, gpu.address());

            failure(() -> kernel.driverCore().unbind(NOVA_CORE, gpu.address()), Errno.ENODEV);
        }

        @Test
        void unbindingWhileTheModuleIsNotLoadedIsEnodev() {
            var kernel = kernel(false);
            var gpu = plug(kernel, Chipset.GA102);

            failure(() -> kernel.driverCore().unbind(NOVA_CORE, gpu.address()), Errno.ENODEV);
        }

        @Test
        void anUnknownDriverNameIsEnoentNotFound() {
            var kernel = kernel(true);
            var gpu = plug(kernel, Chipset.GA102);
            var core = kernel.driverCore();

            assertThat(failure(() -> core.bind("nouveau", gpu.address()), Errno.ENOENT).lookup()).isTrue();
            assertThat(failure(() -> core.unbind("nouveau", gpu.address()), Errno.ENOENT).lookup()).isTrue();
            assertThat(failure(() -> core.setPolicy("nouveau", Policy.FENCED), Errno.ENOENT).lookup()).isTrue();
            assertThat(failure(() -> kernel.load("nouveau"), Errno.ENOENT).lookup()).isTrue();
            assertThat(isBound(kernel, gpu)).as("nova-core keeps the device").isTrue();
        }

        @Test
        void loadingTwiceIsEexist() {
            var kernel = kernel(true);

            failure(() -> kernel.load(NOVA_CORE), Errno.EEXIST);

            assertThat(kernel.module(NOVA_CORE).generation()).isEqualTo(1);
            assertThat(kernel.driverCore().isRegistered(NOVA_CORE)).isTrue();
        }

        @Test
        void unloadingWhatIsNotLoadedIsEnoent() {
            var kernel = kernel(false);

            failure(() -> kernel.unload(NOVA_CORE, UnloadMode.PIN), Errno.ENOENT);

            assertThat(kernel.module(NOVA_CORE).state()).isEqualTo(ModuleState.UNLOADED);
        }

        @Test
        void hotplugAtATakenAddressIsEexist() {
            var kernel = kernel(true);
            var first = kernel.hotplug(Chipset.GA102, Optional.of(PciAddress.parse("0000:03:00.0")), 0xa1);

            failure(() -> kernel.hotplug(Chipset.AD102, Optional.of(first.address()), 0xa1), Errno.EEXIST);

            assertThat(kernel.bus().devices()).containsExactly(first);
            assertThat(kernel.novaCore(first.address()).chipset()).isEqualTo(Chipset.GA102);
        }

        @ParameterizedTest
        @NullAndEmptySource
        @ValueSource(strings = {"0000:01:00", "0000:1:00.0", "0000:0A:00.0", "0000:01:00.8", "0000:01:20.0",
                "01:00.0", " 0000:01:00.0", "0000:01:00.0 ", "gpu0"})
        void aMalformedAddressIsEinval(String text) {
            failure(() -> PciAddress.parse(text), Errno.EINVAL);
        }

        @Test
        void aWellFormedAddressRoundTrips() {
            assertThat(PciAddress.parse("0000:0a:1f.7")).hasToString("0000:0a:1f.7")
                    .isEqualTo(new PciAddress(0, 0x0a, 0x1f, 7));
        }

        @Test
        void theDeviceLimitIsEnospc() {
            var kernel = new Kernel(new KernelConfig(2, true), clock, List.of(trace));
            plug(kernel, Chipset.GA102);
            plug(kernel, Chipset.GA102);

            failure(() -> plug(kernel, Chipset.GA102), Errno.ENOSPC);

            assertThat(kernel.bus().size()).isEqualTo(2);
        }

        @Test
        void aRevisionThatIsNotOneByteIsEinval() {
            var kernel = kernel(true);

            failure(() -> kernel.hotplug(Chipset.GA102, Optional.empty(), 0x100), Errno.EINVAL);

            assertThat(kernel.bus().size()).isZero();
        }
    }

    @Nested
    class DevresAtProbeFailureAndUnbind {

        @Test
        void anUnsupportedPascalChipStaysUnboundAndBindSaysWhy() {
            var kernel = kernel(true);
            var pascal = plug(kernel, Chipset.GP102);

            assertThat(isBound(kernel, pascal)).as("autoprobe failed quietly").isFalse();
            assertThat(trace.events).contains("probe " + pascal.address() + " ENODEV");

            var e = failure(() -> kernel.driverCore().bind(NOVA_CORE, pascal.address()), Errno.ENODEV);
            assertThat(e.lookup()).as("the device exists; probe refused it").isFalse();
            assertThat(e).hasMessageContaining("unsupported chipset").hasMessageContaining("0x132");
            assertThat(isBound(kernel, pascal)).isFalse();
        }

        @Test
        void aFailedProbeReleasesWhatItAcquiredInReverseOrder() {
            var kernel = kernel(false);
            var pascal = plug(kernel, Chipset.GP102);

            kernel.load(NOVA_CORE); // autoprobe fails after iomap, reading BOOT_0

            assertThat(trace.devresReleased(pascal)).containsExactlyElementsOf(PROBE_FAILURE_RELEASES);
            assertReleased(pascal);
        }

        @Test
        void aFailedProbeLeavesNothingBehindSoTheNextProbeFailsTheSameWay() {
            var kernel = kernel(true);
            var pascal = plug(kernel, Chipset.GP102);
            trace.clear();

            // EBUSY here would mean the first probe leaked the BAR0 region.
            failure(() -> kernel.driverCore().bind(NOVA_CORE, pascal.address()), Errno.ENODEV);

            assertThat(trace.devresReleased(pascal)).containsExactlyElementsOf(PROBE_FAILURE_RELEASES);
            assertReleased(pascal);
        }

        @ParameterizedTest
        @EnumSource(Policy.class)
        void unbindReleasesTheDevresListLastAcquiredFirst(Policy policy) {
            var kernel = kernel(true);
            kernel.driverCore().setPolicy(NOVA_CORE, policy);
            var gpu = plug(kernel, Chipset.GA102);
            assertThat(gpu.isEnabled()).isTrue();
            assertThat(gpu.isRegionHeld()).isTrue();
            trace.clear();

            kernel.driverCore().unbind(NOVA_CORE, gpu.address());

            assertThat(trace.devresReleased(gpu))
                    .containsExactlyElementsOf(policy == Policy.FENCED ? FENCED_UNBIND_RELEASES : UNBIND_RELEASES);
            assertThat(trace.events).last().isEqualTo("unbind " + gpu.address());
            assertThat(isBound(kernel, gpu)).isFalse();
            assertReleased(gpu);
        }

        @Test
        void aDeviceCanBeBoundAgainAfterUnbind() {
            var kernel = kernel(true);
            var gpu = plug(kernel, Chipset.GA102);
            kernel.driverCore().unbind(NOVA_CORE, gpu.address());

            kernel.driverCore().bind(NOVA_CORE, gpu.address());

            assertThat(isBound(kernel, gpu)).isTrue();
            assertThat(gpu.isEnabled()).isTrue();
            assertThat(gpu.isRegionHeld()).isTrue();
            assertThat(kernel.mmio().read(gpu.address(), Bar0.NV_PMC_BOOT_0)).isEqualTo(GA102_A1_BOOT_0);
        }
    }

    @Nested
    class ModuleLoadUnloadAndHotplug {

        @Test
        void loadingTheModuleProbesEveryMatchingDevice() {
            var kernel = kernel(false);
            var ampere = plug(kernel, Chipset.GA102);
            var ada = plug(kernel, Chipset.AD102);
            var hopper = plug(kernel, Chipset.GH100);
            var pascal = plug(kernel, Chipset.GP102);
            assertThat(kernel.driverCore().bindings()).isEmpty();

            kernel.load(NOVA_CORE);

            assertThat(kernel.novaCore(ampere.address()).chipset()).isEqualTo(Chipset.GA102);
            assertThat(kernel.novaCore(ada.address()).chipset()).isEqualTo(Chipset.AD102);
            assertThat(kernel.novaCore(hopper.address()).chipset()).isEqualTo(Chipset.GH100);
            assertThat(isBound(kernel, pascal)).as("probe rejects Pascal").isFalse();
            assertThat(kernel.driverCore().bindings()).hasSize(3);
        }

        @Test
        void unloadingTheModuleUnbindsEveryDevice() {
            var kernel = kernel(true);
            var devices = List.of(plug(kernel, Chipset.GA102), plug(kernel, Chipset.TU102), plug(kernel, Chipset.GB202));
            trace.clear();

            kernel.unload(NOVA_CORE, UnloadMode.PIN);

            assertThat(kernel.driverCore().bindings()).isEmpty();
            assertThat(kernel.driverCore().isRegistered(NOVA_CORE)).isFalse();
            assertThat(kernel.module(NOVA_CORE).state()).isEqualTo(ModuleState.UNLOADED);
            for (var device : devices) {
                assertThat(trace.devresReleased(device)).containsExactlyElementsOf(UNBIND_RELEASES);
                assertThat(trace.events).contains("unbind " + device.address());
                assertReleased(device);
                failure(() -> kernel.mmio().read(device.address(), Bar0.NV_PMC_BOOT_0), Errno.ENODEV);
            }
        }

        @Test
        void reloadingTheModuleBindsTheDevicesAgain() {
            var kernel = kernel(true);
            var gpu = plug(kernel, Chipset.GA102);
            kernel.unload(NOVA_CORE, UnloadMode.PIN);

            kernel.load(NOVA_CORE);

            assertThat(kernel.module(NOVA_CORE).generation()).isEqualTo(2);
            assertThat(kernel.mmio().read(gpu.address(), Bar0.NV_PMC_BOOT_0)).isEqualTo(GA102_A1_BOOT_0);
        }

        @Test
        void hotplugWhileTheModuleIsLoadedBindsTheNewDevice() {
            var kernel = kernel(true);

            var gpu = plug(kernel, Chipset.GA102);

            assertThat(trace.events).containsExactly("added " + gpu.address(), "probe " + gpu.address() + " ok");
            assertThat(kernel.mmio().read(gpu.address(), Bar0.NV_PMC_BOOT_0)).isEqualTo(GA102_A1_BOOT_0);
        }

        @Test
        void hotUnplugOfABoundDeviceUnbindsItFirst() {
            var kernel = kernel(true);
            var gpu = plug(kernel, Chipset.GA102);
            var stale = kernel.novaCore(gpu.address()).bar();
            trace.clear();

            kernel.hotUnplug(gpu.address());

            var expected = new ArrayList<String>();
            UNBIND_RELEASES.forEach(r -> expected.add("devres " + gpu.address() + " " + r));
            expected.add("unbind " + gpu.address());
            expected.add("removed " + gpu.address());
            assertThat(trace.events).containsExactlyElementsOf(expected);
            assertThat(kernel.bus().find(gpu.address())).isEmpty();
            assertReleased(gpu);
            failure(() -> stale.read32(Bar0.NV_PMC_BOOT_0), Errno.ENODEV);
            assertThat(failure(() -> kernel.mmio().read(gpu.address(), 0), Errno.ENODEV).lookup()).isTrue();
            assertThat(failure(() -> kernel.hotUnplug(gpu.address()), Errno.ENODEV).lookup()).isTrue();
        }

        @Test
        void hotUnplugOfAnUnboundDeviceJustRemovesIt() {
            var kernel = kernel(false);
            var gpu = plug(kernel, Chipset.GA102);
            trace.clear();

            kernel.hotUnplug(gpu.address());

            assertThat(trace.events).containsExactly("removed " + gpu.address());
            assertThat(kernel.bus().size()).isZero();
        }

        @Test
        void mmioAfterUnbindIsEnodevForAnExistingDevice() {
            var kernel = kernel(true);
            var gpu = plug(kernel, Chipset.GA102);
            assertThat(kernel.mmio().read(gpu.address(), Bar0.NV_PMC_BOOT_0)).isEqualTo(GA102_A1_BOOT_0);

            kernel.driverCore().unbind(NOVA_CORE, gpu.address());

            var e = failure(() -> kernel.mmio().read(gpu.address(), Bar0.NV_PMC_BOOT_0), Errno.ENODEV);
            assertThat(e.lookup()).as("the device exists, its mapping is gone").isFalse();
            failure(() -> kernel.mmio().write(gpu.address(), Bar0.SCRATCH_FIRST, 1), Errno.ENODEV);
            failure(() -> kernel.mmio().readPtimer(gpu.address()), Errno.ENODEV);
        }
    }

    @Nested
    class MmioThroughTheBoundDriver {

        private final Kernel kernel = kernel(true);
        private final PciAddress at = plug(kernel, Chipset.GA102).address();

        @Test
        void aRangeReadReturnsConsecutiveRegisters() {
            kernel.mmio().write(at, Bar0.SCRATCH_FIRST, 1);
            kernel.mmio().write(at, Bar0.SCRATCH_FIRST + 4, 2);

            assertThat(kernel.mmio().readRange(at, Bar0.SCRATCH_FIRST, 3)).containsExactly(1, 2, 0);
        }

        @Test
        void aRangeReadThatRunsPastTheBarFailsWhole() {
            failure(() -> kernel.mmio().readRange(at, Bar0.SIZE - 8, 3), Errno.EINVAL);
        }

        /** The second offset check passes for count -1 whenever offset >= 8 (it checks offset - 8). */
        @Test
        void aRangeReadWithANegativeCountIsEinval() {
            failure(() -> kernel.mmio().readRange(at, Bar0.SCRATCH_FIRST, -1), Errno.EINVAL);
        }

        @Test
        void aRangeReadLongerThanTheBarIsEinvalBeforeAnythingIsAllocated() {
            failure(() -> kernel.mmio().readRange(at, Bar0.NV_PMC_BOOT_0, Integer.MAX_VALUE), Errno.EINVAL);
        }

        @Test
        void aSurpriseRemovedDeviceStaysBoundAndReadsAllOnes() {
            kernel.mmio().write(at, Bar0.SCRATCH_FIRST, 7);

            var device = kernel.surpriseRemove(at);

            assertThat(device.state()).isEqualTo(DeviceState.REMOVED);
            assertThat(kernel.novaCore(at).chipset()).as("still bound").isEqualTo(Chipset.GA102);
            assertThat(kernel.mmio().read(at, Bar0.NV_PMC_BOOT_0)).isEqualTo(0xffffffff);
            assertThat(kernel.mmio().read(at, Bar0.SCRATCH_FIRST)).isEqualTo(0xffffffff);
            kernel.mmio().write(at, Bar0.SCRATCH_FIRST, 8);
            assertThat(kernel.mmio().readPtimer(at)).as("both TIME words read all ones").isEqualTo(-1L);

            kernel.hotUnplug(at);

            assertReleased(device);
            assertThat(kernel.bus().size()).isZero();
        }
    }

    @Nested
    class Policies {

        @ParameterizedTest
        @EnumSource(Policy.class)
        void whileBoundTheBarWorksUnderEitherPolicy(Policy policy) {
            var kernel = kernel(true);
            kernel.driverCore().setPolicy(NOVA_CORE, policy);
            var gpu = plug(kernel, Chipset.GA102);
            var at = gpu.address();

            assertThat(kernel.novaCore(at).bar().policy()).isEqualTo(policy);
            assertThat(kernel.driverCore().binding(gpu).orElseThrow().policy()).isEqualTo(policy);
            assertThat(kernel.mmio().read(at, Bar0.NV_PMC_BOOT_0)).isEqualTo(GA102_A1_BOOT_0);
            assertThat(kernel.mmio().readRange(at, Bar0.NV_PMC_BOOT_0, 2)).containsExactly(GA102_A1_BOOT_0, 0xbadf1100);
            kernel.mmio().write(at, Bar0.SCRATCH_FIRST, 0xcafe);
            assertThat(kernel.mmio().read(at, Bar0.SCRATCH_FIRST)).isEqualTo(0xcafe);
            failure(() -> kernel.mmio().read(at, 0x2), Errno.EINVAL);
            assertThat(kernel.barAccounting().total(BarAccounting.Op.READ, BarAccounting.Result.OK)).isPositive();
        }

        @ParameterizedTest
        @CsvSource({"REVOCABLE, ENODEV, REFUSED", "FENCED, ENXIO, UNMAPPED"})
        void aStaleBarHandleKeptAcrossUnbindRefuses(Policy policy, Errno errno, BarAccounting.Result counted) {
            var kernel = kernel(true);
            kernel.driverCore().setPolicy(NOVA_CORE, policy);
            var gpu = plug(kernel, Chipset.GA102);
            var stale = kernel.novaCore(gpu.address()).bar();
            var accounting = kernel.barAccounting();

            kernel.driverCore().unbind(NOVA_CORE, gpu.address());

            failure(() -> stale.read32(Bar0.NV_PMC_BOOT_0), errno);
            failure(() -> stale.write32(Bar0.SCRATCH_FIRST, 1), errno);
            assertThat(accounting.total(BarAccounting.Op.READ, counted)).isEqualTo(1);
            assertThat(accounting.total(BarAccounting.Op.WRITE, counted)).isEqualTo(1);
            for (var other : BarAccounting.Result.values()) {
                if (other != counted && other != BarAccounting.Result.OK) {
                    assertThat(accounting.total(BarAccounting.Op.READ, other)).as(other.name()).isZero();
                }
            }
            failure(() -> stale.read32(3), Errno.EINVAL);
            assertThat(accounting.total(BarAccounting.Op.READ, counted)).as("bad offset checked first").isEqualTo(1);

            kernel.driverCore().bind(NOVA_CORE, gpu.address());
            failure(() -> stale.read32(Bar0.NV_PMC_BOOT_0), errno);
            assertThat(kernel.mmio().read(gpu.address(), Bar0.NV_PMC_BOOT_0)).as("the new handle works")
                    .isEqualTo(GA102_A1_BOOT_0);
        }

        /**
         * The bound-device path checks identity only; the mapping's own check refuses once the BAR's
         * release has run, and counts the access as what it was (a write), not as a read (issue 19, P1b).
         */
        @ParameterizedTest
        @CsvSource({"REVOCABLE, ENODEV, REFUSED", "SRCU, ENODEV, REFUSED", "FENCED, ENXIO, UNMAPPED"})
        void aBoundDeviceAccessKeptAcrossUnbindIsRefusedAsTheAccessItIs(Policy policy, Errno errno,
                                                                       BarAccounting.Result counted) {
            var kernel = kernel(true);
            kernel.driverCore().setPolicy(NOVA_CORE, policy);
            var gpu = plug(kernel, Chipset.GA102);
            var bar = kernel.novaCore(gpu.address()).bar();
            var proof = kernel.driverCore().binding(gpu).orElseThrow().bound();
            var accounting = kernel.barAccounting();

            kernel.driverCore().unbind(NOVA_CORE, gpu.address());

            failure(() -> bar.access(proof).write32(Bar0.SCRATCH_FIRST, 1), errno);
            assertThat(accounting.total(BarAccounting.Op.WRITE, counted)).isEqualTo(1);
            assertThat(accounting.total(BarAccounting.Op.READ, counted)).as("not counted as a read").isZero();
            failure(() -> bar.access(proof).read32(Bar0.NV_PMC_BOOT_0), errno);
            assertThat(accounting.total(BarAccounting.Op.READ, counted)).isEqualTo(1);
        }

        @Test
        void aPolicyChangeTakesEffectAtTheNextProbeOnly() {
            var kernel = kernel(true);
            var gpu = plug(kernel, Chipset.GA102);
            var bar = kernel.novaCore(gpu.address()).bar();
            assertThat(kernel.driverCore().policy(NOVA_CORE)).as("default").isEqualTo(Policy.REVOCABLE);

            kernel.driverCore().setPolicy(NOVA_CORE, Policy.FENCED);

            assertThat(kernel.driverCore().policy(NOVA_CORE)).isEqualTo(Policy.FENCED);
            assertThat(bar.policy()).isEqualTo(Policy.REVOCABLE);
            assertThat(kernel.novaCore(gpu.address()).bar()).isSameAs(bar);
            assertThat(kernel.driverCore().binding(gpu).orElseThrow().policy()).isEqualTo(Policy.REVOCABLE);

            kernel.driverCore().unbind(NOVA_CORE, gpu.address());
            kernel.driverCore().bind(NOVA_CORE, gpu.address());

            assertThat(kernel.novaCore(gpu.address()).bar().policy()).isEqualTo(Policy.FENCED);
            assertThat(kernel.driverCore().binding(gpu).orElseThrow().policy()).isEqualTo(Policy.FENCED);
        }

        @Test
        void aPolicySetBeforeTheModuleIsLoadedAppliesToItsAutoprobe() {
            var kernel = kernel(false);
            var gpu = plug(kernel, Chipset.GA102);
            kernel.driverCore().setPolicy(NOVA_CORE, Policy.FENCED);

            kernel.load(NOVA_CORE);

            assertThat(kernel.novaCore(gpu.address()).bar().policy()).isEqualTo(Policy.FENCED);
        }
    }

    /** The driver core with a driver other than nova-core: the errnos nova-core itself never produces. */
    @Nested
    class OtherDrivers {

        private final PciBus bus = new PciBus(TimerEngine.realTime(clock, 1), 4);
        private final DriverCore core = new DriverCore(bus, eventsTo(trace));
        private final PciDevice gpu = bus.add(Chipset.GA102, Optional.empty(), 0xa1);

        /** Acquires two devres entries, then fails with {@code errno} unless it is empty. */
        private PciDriver<String> driver(String name, boolean matches, Optional<Errno> probeError) {
            return new PciDriver<>() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public boolean matches(PciDevice device) {
                    return matches;
                }

                @Override
                public String probe(ProbeContext ctx) {
                    ctx.devres().add("first", () -> { });
                    ctx.devres().add("second", () -> { });
                    probeError.ifPresent(errno -> {
                        throw KernelException.of(errno, name + " probe failed");
                    });
                    return name + " data";
                }

                @Override
                public void remove(BoundDevice bound, String data) {
                    trace.events.add("remove " + bound.device().address() + " " + data);
                }
            };
        }

        @Test
        void aDeferredProbeIsEagainAndUnwindsItsDevres() {
            core.registerDriver(driver("deferring", true, Optional.of(Errno.EPROBE_DEFER)));
            assertThat(trace.events).contains("probe " + gpu.address() + " EAGAIN");
            trace.clear();

            failure(() -> core.bind("deferring", gpu.address()), Errno.EAGAIN);

            assertThat(trace.devresReleased(gpu)).containsExactly("second", "first");
            assertThat(core.binding(gpu)).isEmpty();
        }

        @Test
        void aProbeErrorIsReturnedAsIs() {
            core.registerDriver(driver("broken", true, Optional.of(Errno.ENOMEM)));

            failure(() -> core.bind("broken", gpu.address()), Errno.ENOMEM);

            assertThat(core.binding(gpu)).isEmpty();
        }

        @Test
        void removeRunsBeforeTheDevresListIsReleased() {
            core.registerDriver(driver("good", true, Optional.empty()));
            trace.clear();

            core.unbind("good", gpu.address());

            assertThat(trace.events).containsExactly("remove " + gpu.address() + " good data",
                    "devres " + gpu.address() + " second", "devres " + gpu.address() + " first",
                    "unbind " + gpu.address());
        }

        @Test
        void registeringADriverTwiceIsEbusy() {
            var driver = driver("good", true, Optional.empty());
            core.registerDriver(driver);

            failure(() -> core.registerDriver(driver), Errno.EBUSY);

            assertThat(core.driverData(gpu, driver)).contains("good data");
        }

        @Test
        void bindingADriverThatDoesNotMatchIsEnodev() {
            core.registerDriver(driver("picky", false, Optional.empty()));

            var e = failure(() -> core.bind("picky", gpu.address()), Errno.ENODEV);

            assertThat(e.lookup()).isFalse();
            assertThat(core.binding(gpu)).isEmpty();
        }

        @Test
        void unbindingInTheNameOfAnotherDriverIsEnodev() {
            core.registerDriver(driver("good", true, Optional.empty()));
            core.declare("other");

            failure(() -> core.unbind("other", gpu.address()), Errno.ENODEV);

            assertThat(core.binding(gpu)).isPresent();
        }

        @Test
        void unregisteringADriverUnbindsOnlyItsDevices() {
            var good = driver("good", true, Optional.empty());
            core.registerDriver(good);
            var second = bus.add(Chipset.AD102, Optional.empty(), 0xa1);
            core.autoprobe(second);
            assertThat(core.bindings()).hasSize(2);

            core.unregisterDriver(good);

            assertThat(core.bindings()).isEmpty();
            assertThat(core.isRegistered("good")).isFalse();
            failure(() -> core.bind("good", gpu.address()), Errno.ENOENT);
        }
    }

    /** Records every event of the driver core's as one line in kernel words, in the order the kernel emitted them. */
    static final class RecordingObserver implements Consumer<KernelEvent> {

        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void accept(KernelEvent event) {
            switch (event) {
                case DeviceEvent.Added e -> events.add("added " + e.device());
                case DeviceEvent.Removed e -> events.add("removed " + e.device());
                case DriverEvent.ProbeFailed e -> events.add("probe " + e.device() + " " + e.errno());
                case DriverEvent.Bound e -> events.add("probe " + e.device() + " ok");
                case DevresEvent.Released e -> events.add("devres " + e.device() + " " + e.resource());
                case DriverEvent.Unbound e -> events.add("unbind " + e.device());
                default -> { }
            }
        }

        /** The devres entries released for this device, in release order. */
        List<String> devresReleased(PciDevice device) {
            String prefix = "devres " + device.address() + " ";
            return events.stream().filter(e -> e.startsWith(prefix)).map(e -> e.substring(prefix.length())).toList();
        }

        void clear() {
            events.clear();
        }
    }
}
