package dev.novahost.kernel.driver;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.devres.DevresList;
import dev.novahost.kernel.pci.BoundDevice;

/** A device bound to a driver: the driver, its per-device data, the device's devres list, the policy probe saw. */
public record Binding<D>(PciDriver<D> driver, D data, DevresList devres, Policy policy, BoundDevice bound) {

    void remove() {
        driver.remove(bound, data);
    }

    void leakCheck() {
        driver.leakCheck(bound, data);
    }
}
