package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciDevice;
import dev.novahost.kernel.pci.RegisterOffset;

/**
 * BAR0 as mapped into the driver's address space by {@code pci_iomap}. After {@link #unmap()} the
 * addresses no longer point at the device: an access through a stale pointer is a use-after-iounmap,
 * which the kernel would answer with a page fault. Here it is counted and refused with {@code ENXIO}.
 * A mapping owned by a {@code Devres} is released by {@link #revoke()} instead: an access that reaches it
 * afterwards (by the bound-device proof, which checks nothing else) is refused with {@code ENODEV}, as the
 * revocable handle refuses.
 *
 * <p>Every access checks one volatile state, whichever of the two ended the mapping: the bound-device
 * path ({@code BarHandle.access}) costs no more than a fenced read (issue 19, P1b).
 *
 * <p>Thread-safety: the mapping state is volatile; the registers behind it are thread-safe.
 */
public final class IoMapping implements RegisterReader {

    private final PciDevice device;
    private final PciAddress address;
    private final Bar0 bar0;
    private final BarAccounting accounting;
    private volatile State state = State.MAPPED;

    /** {@code REVOKED}: released by its {@code Devres} (revocable, srcu); {@code UNMAPPED}: a plain {@code pci_iounmap}. */
    private enum State { MAPPED, REVOKED, UNMAPPED }

    IoMapping(PciDevice device, BarAccounting accounting) {
        this.device = device;
        this.address = device.address();
        this.bar0 = device.bar0();
        this.accounting = accounting;
    }

    /**
     * The mapping, for code that holds proof its device is bound ({@code Devres::access}): the identity
     * check and nothing else, as a plain access; {@code EINVAL} for another device's proof. Each access
     * then makes the mapping's own check, which refuses once the mapping was revoked or unmapped.
     */
    IoMapping access(BoundDevice bound) {
        if (bound.device() != device) {
            throw KernelException.of(Errno.EINVAL, "BAR0 of " + address
                    + " accessed with the bound-device proof of " + bound.device().address());
        }
        return this;
    }

    @Override
    public int read32(int offset) {
        return read32(RegisterOffset.of(offset));
    }

    public int read32(RegisterOffset at) {
        requireMapped(BarAccounting.Op.READ, at);
        int value = bar0.read32(at);
        accounting.record(BarAccounting.Op.READ, BarAccounting.Result.OK);
        return value;
    }

    public void write32(int offset, int value) {
        write32(RegisterOffset.of(offset), value);
    }

    public void write32(RegisterOffset at, int value) {
        requireMapped(BarAccounting.Op.WRITE, at);
        bar0.write32(at, value);
        accounting.record(BarAccounting.Op.WRITE, BarAccounting.Result.OK);
    }

    /**
     * The registers behind the mapping, without the mapping check, for the revocable handle's optimistic
     * read ({@code Revocable.tryRead}): that handle checks afterwards that the BAR was not revoked, which
     * proves the mapping was still in place (unmapping follows revocation), and counts the read then. A
     * read that loses the race is thrown away; it is harmless because register reads change nothing (the
     * PTIMER alarm latch only records what time already decided) and the device outlives the mapping.
     */
    Bar0 registersUnchecked() {
        return bar0;
    }

    /** {@code pci_iounmap}. */
    void unmap() {
        state = State.UNMAPPED;
    }

    /** The release of the {@code Devres} that owns the mapping: later accesses are refused, not faults. */
    void revoke() {
        state = State.REVOKED;
    }

    private void requireMapped(BarAccounting.Op op, RegisterOffset at) {
        var now = state;
        if (now != State.MAPPED) {
            throw ended(now, op, at);
        }
    }

    private KernelException ended(State now, BarAccounting.Op op, RegisterOffset at) {
        if (now == State.REVOKED) {
            accounting.record(op, BarAccounting.Result.REFUSED);
            return KernelException.of(Errno.ENODEV, "BAR0 of " + address + " was revoked by remove()'s pci_iounmap;"
                    + " access refused");
        }
        accounting.record(op, BarAccounting.Result.UNMAPPED);
        return KernelException.of(Errno.ENXIO, String.format(
                "BAR0 of %s accessed at 0x%06x after iounmap (use-after-unmap)", address, at.value()));
    }
}
