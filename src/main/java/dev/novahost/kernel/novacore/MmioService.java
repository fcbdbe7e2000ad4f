package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciBus;
import dev.novahost.kernel.pci.RegisterOffset;

/**
 * Registers through the bound driver: the kernel service behind the HTTP API's and scenarios' MMIO
 * reads and writes. It finds nova-core's instance on the device and hands the access to that
 * instance's MMIO attribute ({@link SysfsMmio}); every call goes down and returns, nothing is handed
 * down to be called back up.
 *
 * <p>The offset is checked once, here, when it becomes a {@link RegisterOffset} ({@code EINVAL}), before
 * the device is looked up: a bad offset is {@code EINVAL} whether or not a driver is bound. The layers
 * below take the {@code RegisterOffset} as proven and do not check it again.
 *
 * <p>A read of one register, {@code GET /api/v1/devices/{address}/mmio/{offset}}, reaches
 * {@code Bar0.read32} in at most 6 hops, every one down a layer, none back up:
 * <pre>
 *   1 DeviceController.read -> MmioService.read        (this service: the offset check, the device lookup)
 *   2                       -> SysfsMmio.read          (nova-core's attribute: fenced active ref, reports)
 *   3                       -> BarHandle.read32        (RevocableBar, FencedBar or SrcuBar, as probe's policy made it)
 *   revocable: 4 -> Devres.tryRead -> 5 Revocable.tryRead (the optimistic read)
 *              -> 6 Bar0.read32   (from the read function the handle gives the guard)
 *   fenced:    4 -> IoMapping.read32 (the mapping check) -> 5 Bar0.read32
 *   srcu:      4 -> IoMapping.read32 -> 5 Bar0.read32, inside the short section Devres.tryAccess opened
 * </pre>
 * The lookups on the way ({@code PciBus.get}, {@code NovaCore.boundTo}, {@code NovaDevice.bar}) return
 * before the next hop and are not on the path.
 * Writes take the same path ({@code Revocable.tryAccess}'s guard instead of the optimistic read); a range
 * read is one such read per register.
 *
 * <p>Thread-safety: stateless; any thread may call it. The attribute and the BAR handle state theirs.
 */
public final class MmioService {

    private final PciBus bus;
    private final NovaCore novaCore;
    private final NovaContext ctx;

    MmioService(PciBus bus, NovaCore novaCore, NovaContext ctx) {
        this.bus = bus;
        this.novaCore = novaCore;
        this.ctx = ctx;
    }

    public int read(PciAddress address, int offset) {
        var at = RegisterOffset.of(offset);
        return attribute(address).read(at);
    }

    public void write(PciAddress address, int offset, int value) {
        var at = RegisterOffset.of(offset);
        attribute(address).write(at, value);
    }

    /** Reads {@code count} consecutive registers through one attribute; fails whole if any read fails. */
    public int[] readRange(PciAddress address, int offset, int count) {
        if (count < 1) {
            throw KernelException.of(Errno.EINVAL, "A range read needs at least one register, asked for " + count);
        }
        var offsets = RegisterOffset.range(offset, count);
        var attribute = attribute(address);
        var values = new int[count];
        for (int i = 0; i < count; i++) {
            values[i] = attribute.read(offsets[i]);
        }
        return values;
    }

    /** The device's 64-bit PTIMER, read high, low, high through the attribute. */
    public long readPtimer(PciAddress address) {
        return attribute(address).readPtimer();
    }

    private SysfsMmio attribute(PciAddress address) {
        return new SysfsMmio(ctx, novaCore.boundTo(bus.get(address)));
    }
}
