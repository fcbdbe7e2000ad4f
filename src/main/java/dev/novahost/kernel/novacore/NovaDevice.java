package dev.novahost.kernel.novacore;

import dev.novahost.kernel.pci.Chipset;

/** nova-core's per-device data ({@code struct NovaCore}): what probe found and built. */
public record NovaDevice(Chipset chipset, int revision, BarHandle bar, Ptimer ptimer) {
}
