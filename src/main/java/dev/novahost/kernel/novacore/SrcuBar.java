package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.devres.Devres;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.RegisterOffset;
import java.util.Optional;

/**
 * The {@code srcu} policy's handle: {@code Devres<Bar0>} read as SRCU is ({@code drivers/base/revocable.c}).
 * A callback enters one read-side section for its whole run ({@link #readLock}): it may sleep in it, and
 * its accesses in it need no check, since the BAR cannot be revoked while it is open. An API read or
 * write is one short section of its own. Unbind's revocation ({@code synchronize_srcu}) waits for every
 * section, so it waits for the slowest reader, and one that never leaves hangs the unbind. Once revoked,
 * every access and every section entry is refused with {@code ENODEV}, as under {@code revocable}.
 */
public final class SrcuBar implements BarHandle {

    private final PciAddress address;
    private final Devres<IoMapping> bar;
    private final BarAccounting accounting;

    SrcuBar(PciAddress address, Devres<IoMapping> bar, BarAccounting accounting) {
        this.address = address;
        this.bar = bar;
        this.accounting = accounting;
    }

    @Override
    public Policy policy() {
        return Policy.SRCU;
    }

    @Override
    public int read32(RegisterOffset at) {
        var section = bar.tryAccess();
        if (section.isEmpty()) {
            throw refused(BarAccounting.Op.READ, at);
        }
        try (var io = section.get()) {
            return io.get().read32(at);
        }
    }

    @Override
    public void write32(RegisterOffset at, int value) {
        var section = bar.tryAccess();
        if (section.isEmpty()) {
            throw refused(BarAccounting.Op.WRITE, at);
        }
        try (var io = section.get()) {
            io.get().write32(at, value);
        }
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
        return bar.access(bound);
    }

    private KernelException refused(BarAccounting.Op op, RegisterOffset at) {
        accounting.record(op, BarAccounting.Result.REFUSED);
        return KernelException.of(Errno.ENODEV, String.format(
                "BAR0 of %s was revoked when its driver was unbound; access at 0x%06x refused", address, at.value()));
    }
}
