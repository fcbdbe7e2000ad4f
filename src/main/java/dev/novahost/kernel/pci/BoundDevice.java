package dev.novahost.kernel.pci;

/**
 * Proof that a device is bound to a driver for as long as the holder runs ({@code &Device<Bound>} in
 * Rust for Linux). The driver core hands one to probe, to remove() before the devres list is released,
 * and to callbacks that the unbind path cancels synchronously before it revokes anything. Code that
 * holds one may reach devres-managed resources without a revocation check.
 *
 * <p>Only the driver core creates proofs (an architecture test enforces it); a proof must not be
 * stored beyond the call it was given to.
 */
public final class BoundDevice {

    private final PciDevice device;

    public BoundDevice(PciDevice device) {
        this.device = device;
    }

    public PciDevice device() {
        return device;
    }
}
