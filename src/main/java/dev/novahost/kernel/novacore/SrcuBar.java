package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.devres.Devres;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.RegisterOffset;
import java.util.Optional;

/**
 * The {@code srcu} policy's handle: {@code Devres<Bar0>} read as SRCU is ({@code drivers/base/revocable.c}).
 * A callback enters one read-side section for its whole run ({@link #readLock}): it may sleep in it, and
 * its accesses in it need no check, since the BAR cannot be revoked while it is open. An API read or
 * write is one short section of its own. Unbind's revocation ({@code synchronize_srcu}) waits for every
 * section, so it waits for the slowest reader, and one that never leaves hangs the unbind. Once revoked,
 * every access and every section entry is refused with {@code ENODEV}, as under {@code revocable}, whose
 * handle over the same {@code Devres} does what the two policies do alike: writes, the bound-device
 * proof, a written remove()'s {@code pci_iounmap}.
 */
public final class SrcuBar implements BarHandle {

    private final Devres<IoMapping> bar;
    private final RevocableBar revocable;

    SrcuBar(Devres<IoMapping> bar, RevocableBar revocable) {
        this.bar = bar;
        this.revocable = revocable;
    }

    @Override
    public Policy policy() {
        return Policy.SRCU;
    }

    /** A short section around the read, where {@code revocable} reads optimistically. */
    @Override
    public int read32(RegisterOffset at) {
        var section = bar.tryAccess();
        if (section.isEmpty()) {
            throw revocable.refused(BarAccounting.Op.READ, at);
        }
        try (var io = section.get()) {
            return io.get().read32(at);
        }
    }

    /** A short section around the write: {@code revocable}'s {@code try_access}. */
    @Override
    public void write32(RegisterOffset at, int value) {
        revocable.write32(at, value);
    }

    /**
     * {@code srcu_read_lock}, taken at {@code where}: a section that holds the readers' lockdep class
     * ({@code (srcu)BAR0}) until it is closed, or empty if the BAR was revoked first.
     */
    @Override
    public Optional<BarSection> readLock(String where) {
        return bar.tryAccess(where).map(BarSection::new);
    }

    @Override
    public IoMapping access(BoundDevice bound) {
        return revocable.access(bound);
    }

    @Override
    public void iounmap() {
        revocable.iounmap();
    }
}
