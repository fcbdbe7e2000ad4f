package dev.novahost.kernel.novacore;

import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.pci.BoundDevice;

/**
 * nova-core's handle on a device's BAR0, as the policy in force at probe made it. Every driver access
 * to the registers goes through one: HTTP MMIO, file ops and callbacks alike.
 *
 * <p>Offsets are checked before anything else ({@code EINVAL}); a handle whose BAR is gone refuses
 * with {@code ENODEV} (revoked) or {@code ENXIO} (unmapped behind a plain handle's back).
 */
public sealed interface BarHandle extends RegisterReader permits RevocableBar, FencedBar {

    Policy policy();

    @Override
    int read32(int offset);

    void write32(int offset, int value);

    /** The mapping itself, for code that holds proof the device is bound: no revocation check. */
    IoMapping access(BoundDevice bound);
}
