package dev.novahost.kernel.driver;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.devres.DevresList;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.PciDevice;

/** What probe is given: proof the device is being bound, its devres list, the policy in force. */
public record ProbeContext(BoundDevice bound, DevresList devres, Policy policy) {

    public PciDevice device() {
        return bound.device();
    }
}
