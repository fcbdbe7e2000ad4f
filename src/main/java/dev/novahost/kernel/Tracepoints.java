package dev.novahost.kernel;

import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.pci.PciDevice;
import java.util.Optional;

/**
 * Hooks the kernel calls at the points an observer may care about, like the kernel's tracepoints.
 * Metrics (and later the event log) attach here; the kernel itself never depends on who listens.
 *
 * <p>Called on the thread that did the work, sometimes with a device lock held: implementations must
 * be quick, must not block and must not call back into the kernel.
 */
public interface Tracepoints {

    Tracepoints NONE = new Tracepoints() { };

    default void deviceAdded(PciDevice device) { }

    default void deviceRemoved(PciDevice device) { }

    /** A probe finished: bound when {@code errno} is empty. */
    default void probeFinished(PciDevice device, String driver, Optional<Errno> errno) { }

    /** One devres entry was released, at unbind or after a failed probe. */
    default void devresReleased(PciDevice device, String resource) { }

    /** {@code device_release_driver} finished: remove() ran and the devres list was released. */
    default void unbindFinished(PciDevice device, String driver, long nanos) { }

    /** A {@code revoke()} waited this long for accesses already in flight. */
    default void revokeWaited(long nanos) { }

    // State changes the host must remember across a restart (the journal listens to these).

    /** A probe bound the device, with the policy it was probed under. */
    default void bound(PciDevice device, String driver, Policy policy) { }

    default void surpriseRemoved(PciDevice device) { }

    default void moduleLoaded(String module) { }

    default void moduleUnloaded(String module) { }

    default void policyChanged(String driver, Policy policy) { }

    default void faultsChanged(Faults faults) { }
}
