package dev.novahost.kernel.novacore;

import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.module.ModuleCode;
import dev.novahost.kernel.module.ModuleText;

/** nova-core's {@code module_init} / {@code module_exit}: register and unregister the PCI driver. */
public final class NovaCoreModule implements ModuleCode {

    private final DriverCore driverCore;
    private final NovaCoreDriver driver;

    public NovaCoreModule(DriverCore driverCore, NovaCoreDriver driver) {
        this.driverCore = driverCore;
        this.driver = driver;
    }

    @Override
    public void init(ModuleText text) {
        driverCore.registerDriver(driver);
    }

    @Override
    public void exit() {
        driverCore.unregisterDriver(driver);
    }
}
