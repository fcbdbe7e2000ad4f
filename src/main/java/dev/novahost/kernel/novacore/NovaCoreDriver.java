package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.devres.Devres;
import dev.novahost.kernel.driver.PciDriver;
import dev.novahost.kernel.driver.ProbeContext;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciDevice;

/**
 * The nova-core PCI driver: probes NVIDIA display-class devices as the real driver does and keeps
 * its BAR0 behind the handle the policy asks for.
 */
public final class NovaCoreDriver implements PciDriver<NovaDevice> {

    public static final String NAME = "nova-core";

    static final String DEVRES_ENABLE = "pci_enable_device";
    static final String DEVRES_REGION = "pci_request_region BAR0";
    static final String DEVRES_IOMAP = "pci_iomap BAR0";
    static final String DEVRES_PTIMER = "ptimer subdevice";

    private final BarAccounting accounting;

    public NovaCoreDriver(BarAccounting accounting) {
        this.accounting = accounting;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** {@code PCI_VENDOR_ID_NVIDIA}, display class: what nova-core's id table names. */
    @Override
    public boolean matches(PciDevice device) {
        return device.vendorId() == Chipset.VENDOR_NVIDIA && (device.classCode() >> 16) == 0x03;
    }

    /** Enable, claim the region, map BAR0, identify the chip, create the timer subdevice; all devres-managed. */
    @Override
    public NovaDevice probe(ProbeContext ctx) {
        PciDevice device = ctx.device();
        var devres = ctx.devres();

        device.enable();
        devres.add(DEVRES_ENABLE, device::disable);

        device.requestRegion(NAME);
        devres.add(DEVRES_REGION, device::releaseRegion);

        var mapping = new IoMapping(device.address(), device.bar0(), accounting);
        BarHandle bar = switch (ctx.policy()) {
            case REVOCABLE -> new RevocableBar(device.address(), Devres.register(device, devres, DEVRES_IOMAP,
                    mapping, IoMapping::unmap, ctx.trace()::revokeWaited), accounting);
            case FENCED -> {
                devres.add(DEVRES_IOMAP, mapping::unmap);
                yield new FencedBar(mapping);
            }
        };

        Chipset chipset = identify(ctx.bound(), bar);

        var ptimer = new Ptimer(bar);
        devres.add(DEVRES_PTIMER, () -> { });
        int revision = bar.access(ctx.bound()).read32(Bar0.NV_PMC_BOOT_0) & 0xff;
        return new NovaDevice(chipset, revision, bar, ptimer);
    }

    /**
     * Reads {@code NV_PMC_BOOT_0} (and {@code BOOT_42}, which must agree) and decodes the chipset as
     * nova-core does; anything it does not support is {@code ENODEV}.
     */
    static Chipset identify(BoundDevice bound, BarHandle bar) {
        var io = bar.access(bound);
        int boot0 = io.read32(Bar0.NV_PMC_BOOT_0);
        int boot42 = io.read32(Bar0.NV_PMC_BOOT_42);
        int architecture = ((boot0 >>> 24) & 0x1f) | (((boot0 >>> 8) & 1) << 5);
        int implementation = (boot0 >>> 20) & 0xf;
        int id = architecture << 4 | implementation;
        int id42 = ((boot42 >>> 24) & 0x3f) << 4 | ((boot42 >>> 20) & 0xf);
        String address = bound.device().address().toString();
        if (id != id42) {
            throw KernelException.of(Errno.ENODEV, String.format(
                    "%s: NV_PMC_BOOT_0 (0x%08x) and NV_PMC_BOOT_42 (0x%08x) name different chipsets", address, boot0, boot42));
        }
        return Chipset.fromId(id).filter(Chipset::supported).orElseThrow(() -> KernelException.of(Errno.ENODEV,
                String.format("%s: unsupported chipset 0x%03x (NV_PMC_BOOT_0 = 0x%08x)", address, id, boot0)));
    }

    @Override
    public void remove(BoundDevice bound, NovaDevice data) {
        // Nothing to stop yet: every resource probe took is devres-managed and released after this returns.
    }
}
