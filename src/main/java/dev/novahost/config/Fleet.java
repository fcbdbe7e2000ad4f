package dev.novahost.config;

import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciBus;
import java.util.List;
import java.util.Optional;

/**
 * The devices a fresh host starts with, from configuration ({@code nova.fleet}, or {@code NOVA_FLEET}):
 * entries {@code CHIPSET} or {@code CHIPSET@DDDD:BB:DD.F}, comma-separated, e.g.
 * {@code GA102@0000:01:00.0,TU102}. They are plugged only into a host whose journal is empty: after
 * the first start the journal is the host's memory, so a device the user unplugged stays unplugged.
 */
record Fleet(List<Entry> entries) {

    record Entry(Chipset chipset, Optional<PciAddress> address) { }

    /** Parses the configured entries; a bad one stops the start with a sentence naming it. */
    static Fleet parse(List<String> configured) {
        return new Fleet(configured.stream().map(String::trim).filter(text -> !text.isEmpty()).map(Fleet::entry).toList());
    }

    private static Entry entry(String text) {
        int at = text.indexOf('@');
        try {
            var chipset = Chipset.named((at < 0 ? text : text.substring(0, at)).trim());
            var address = at < 0 ? Optional.<PciAddress>empty() : Optional.of(PciAddress.parse(text.substring(at + 1).trim()));
            return new Entry(chipset, address);
        } catch (KernelException bad) {
            throw new IllegalStateException("nova.fleet entry '" + text + "' is not CHIPSET or CHIPSET@DDDD:BB:DD.F: "
                    + bad.getMessage(), bad);
        }
    }

    /** Plugs every device in order; nova-core, if loaded, binds each as it arrives. */
    void plugInto(Kernel kernel) {
        for (var entry : entries) {
            try {
                kernel.hotplug(entry.chipset(), entry.address(), PciBus.DEFAULT_REVISION);
            } catch (KernelException refused) {
                throw new IllegalStateException("nova.fleet: cannot plug " + entry.chipset()
                        + entry.address().map(a -> " at " + a).orElse("") + ": " + refused.getMessage(), refused);
            }
        }
    }
}
