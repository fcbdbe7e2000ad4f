package dev.novahost.bench;

import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.NovaDevice;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.ObjectLimits;
import dev.novahost.kernel.task.TaskLimits;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.Optional;

/**
 * The machine the benchmarks run on: a kernel on virtual time with nova-core loaded, so that nothing
 * fires unless a benchmark advances the clock, and GA102 devices bound under the policy asked for.
 */
final class BenchHost implements AutoCloseable {

    final VirtualClock clock = new VirtualClock();
    final TimerEngine engine = TimerEngine.virtual(clock);
    final Kernel kernel;

    BenchHost(int maxDevices, ObjectLimits limits) {
        this(maxDevices, limits, true);
    }

    /** {@code lockdep} false: the lock validator off, to measure what it costs. */
    BenchHost(int maxDevices, ObjectLimits limits, boolean lockdep) {
        kernel = new Kernel(new KernelConfig(maxDevices, true, 2, 10_000, limits, TaskLimits.DEFAULTS, lockdep), engine);
    }

    BenchHost() {
        this(4, ObjectLimits.DEFAULTS);
    }

    /** Hot-plugs a GA102 that nova-core binds under {@code policy}. */
    PciAddress boundGpu(Policy policy) {
        return boundGpu(policy, Optional.empty());
    }

    /** As {@link #boundGpu(Policy)}, at a given address (the bus picks one per bus otherwise: 255 at most). */
    PciAddress boundGpu(Policy policy, Optional<PciAddress> address) {
        kernel.driverCore().setPolicy(NovaCoreDriver.NAME, policy);
        return kernel.hotplug(Chipset.GA102, address, 0xa1).address();
    }

    NovaDevice novaCore(PciAddress address) {
        return kernel.novaCore(address);
    }

    /** The driver core's proof that the device is bound, as probe and remove() hold it. */
    BoundDevice proofOf(PciAddress address) {
        return kernel.driverCore().binding(kernel.bus().get(address)).orElseThrow().bound();
    }

    @Override
    public void close() {
        kernel.close();
    }
}
