package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.devres.Devres;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.RegisterOffset;
import dev.novahost.kernel.task.TaskWait;

/**
 * The {@code revocable} policy's handle: {@code Devres<Bar0>}. Each write is a {@code try_access}, which
 * unbind's revoke waits for; each read is an optimistic {@code Revocable.tryRead}, which registers
 * nowhere and counts only if the BAR was still there when the read finished. Once unbind has revoked
 * the BAR, accesses are refused with {@code ENODEV}: no write reaches the unmapped registers and no read
 * returns a value from them.
 */
public final class RevocableBar implements BarHandle {

    private final PciAddress address;
    private final Devres<IoMapping> bar;
    /** The mapping {@code bar} holds, for the bound-device path: one load from the handle, as a fenced read's. */
    private final IoMapping mapping;
    private final BarAccounting accounting;

    RevocableBar(PciAddress address, Devres<IoMapping> bar, IoMapping mapping, BarAccounting accounting) {
        this.address = address;
        this.bar = bar;
        this.mapping = mapping;
        this.accounting = accounting;
    }

    @Override
    public Policy policy() {
        return Policy.REVOCABLE;
    }

    @Override
    public int read32(RegisterOffset at) {
        var value = bar.tryRead(io -> io.registersUnchecked().read32(at));
        if (value.isEmpty()) {
            throw refused(BarAccounting.Op.READ, at);
        }
        accounting.record(BarAccounting.Op.READ, BarAccounting.Result.OK);
        return value.getAsInt();
    }

    @Override
    public void write32(RegisterOffset at, int value) {
        var guard = bar.tryAccess();
        if (guard.isEmpty()) {
            throw refused(BarAccounting.Op.WRITE, at);
        }
        try (var io = guard.get()) {
            io.get().write32(at, value);
        }
    }

    /**
     * {@code Devres::access}: the identity check and nothing else, as a plain access (issue 19, P1b). Only
     * a written remove() revokes while device code may still run; once the revocation has released the
     * mapping ({@link IoMapping#revoke}), the mapping's own check, which every access makes anyway, refuses
     * with {@code ENODEV}. An access between the revocation's start and that release finds the BAR still
     * mapped and goes through, as in Rust, where the proof means no revocation check at all.
     */
    @Override
    public IoMapping access(BoundDevice bound) {
        return mapping.access(bound);
    }

    @Override
    public void iounmap() {
        try (var wait = TaskWait.on("revoke", bar)) { // waits for the accesses in flight
            bar.revoke();
        }
    }

    /** Counts the refusal and makes its {@code ENODEV} (also {@link SrcuBar}'s). */
    KernelException refused(BarAccounting.Op op, RegisterOffset at) {
        accounting.record(op, BarAccounting.Result.REFUSED);
        return KernelException.of(Errno.ENODEV, String.format(
                "BAR0 of %s was revoked when its driver was unbound; access at 0x%06x refused", address, at.value()));
    }
}
