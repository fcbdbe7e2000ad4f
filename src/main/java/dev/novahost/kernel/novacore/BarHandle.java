package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.RegisterOffset;
import java.util.Optional;

/**
 * nova-core's handle on a device's BAR0, as the policy in force at probe made it. Every driver access
 * to the registers goes through one: HTTP MMIO, file ops and callbacks alike.
 *
 * <p>An offset is a {@link RegisterOffset}, checked when it was made ({@code EINVAL}), so before
 * anything else; the {@code int} forms make one. A handle whose BAR is gone refuses with {@code ENODEV}
 * (revoked) or {@code ENXIO} (unmapped behind a plain handle's back).
 */
public sealed interface BarHandle extends RegisterReader permits RevocableBar, FencedBar, SrcuBar {

    Policy policy();

    @Override
    default int read32(int offset) {
        return read32(RegisterOffset.of(offset));
    }

    int read32(RegisterOffset at);

    default void write32(int offset, int value) {
        write32(RegisterOffset.of(offset), value);
    }

    void write32(RegisterOffset at, int value);

    /**
     * The mapping itself, for code that holds proof the device is bound: no revocation check while the
     * BAR is in place. A written remove() may unmap it before it stops that code ({@link #iounmap}):
     * then the fenced mapping is found gone ({@code ENXIO}) and the revocable handle refuses ({@code ENODEV}).
     */
    IoMapping access(BoundDevice bound);

    /**
     * A callback's read-side section for its whole run, taken at {@code where}: under {@code srcu} a
     * section revocation waits for ({@link SrcuBar}), or empty once the BAR is revoked; under the other
     * policies {@link BarSection#NONE}, which holds nothing.
     */
    default Optional<BarSection> readLock(String where) {
        return Optional.of(BarSection.NONE);
    }

    /**
     * {@code pci_iounmap} from a written remove(), before devres would: fenced unmaps the BAR (later
     * accesses reach unmapped memory), revocable revokes its {@code Devres} (waiting for accesses in flight;
     * later ones are refused). The devres entry finds it done.
     */
    void iounmap();
}
