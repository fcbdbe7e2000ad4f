package dev.novahost.kernel.driver;

import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.PciDevice;

/**
 * A PCI driver ({@code struct pci_driver}): which devices it handles, how it probes one and how it
 * lets go of one. {@code D} is the per-device data probe returns ({@code pci_set_drvdata}).
 *
 * <p>The driver core calls {@code probe} and {@code remove} with the device lock held, never twice at
 * once for one device.
 */
public interface PciDriver<D> {

    String name();

    /** The id table: whether this driver wants to handle the device at all. */
    boolean matches(PciDevice device);

    /**
     * Brings the device up. Everything acquired is registered on {@code ctx.devres()}; on failure the
     * driver core releases it in reverse order, so probe just throws.
     */
    D probe(ProbeContext ctx);

    /** Lets go of the device; runs before the device's devres list is released. */
    void remove(BoundDevice bound, D data);

    /**
     * Runs once the devres list is released and the device is unbound: anything of the driver's still
     * held now is a leak (the kernel finds these with kmemleak or the next {@code request_mem_region}).
     */
    default void leakCheck(BoundDevice bound, D data) {
    }
}
