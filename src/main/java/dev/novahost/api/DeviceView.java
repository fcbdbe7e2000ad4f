package dev.novahost.api;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.driver.Binding;
import dev.novahost.kernel.pci.PciDevice;
import java.util.Optional;

/** A device as the API shows it (DESIGN.md §7); {@code driver} and {@code policy} are null when unbound. */
record DeviceView(String address, String chipset, String architecture, String vendorId, String deviceId,
                  String classCode, String revision, String state, String driver, String policy) {

    static DeviceView of(PciDevice device, Optional<Binding<?>> binding) {
        return new DeviceView(device.address().toString(), device.chipset().name(),
                device.chipset().architecture().displayName(), Hex.id16(device.vendorId()),
                Hex.id16(device.deviceId()), Hex.classCode(device.classCode()), Hex.byte8(device.revision()),
                WireWord.of(device.state()),
                binding.map(b -> b.driver().name()).orElse(null),
                binding.map(b -> WireWord.of(b.policy())).orElse(null));
    }
}
