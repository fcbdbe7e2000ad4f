package dev.novahost.kernel.novacore;

import dev.novahost.kernel.events.ModuleEvent;
import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.module.ModuleCode;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.work.Workqueue;

/**
 * nova-core's {@code module_init} / {@code module_exit}: allocate the module's workqueue and register
 * the PCI driver; unregister it (unbinding every device), then stop what lives at module scope.
 */
public final class NovaCoreModule implements ModuleCode {

    private final DriverCore driverCore;
    private final NovaCoreDriver driver;
    private final NovaContext ctx;

    NovaCoreModule(DriverCore driverCore, NovaCoreDriver driver, NovaContext ctx) {
        this.driverCore = driverCore;
        this.driver = driver;
        this.ctx = ctx;
    }

    @Override
    public void init(ModuleText text) {
        driver.moduleLoaded(new ModuleObjects(text, new Workqueue("nova-core", ctx.engine())));
        ctx.log().emit(new ModuleEvent.Init(NovaCoreDriver.NAME, text));
        driverCore.registerDriver(driver);
    }

    @Override
    public void exit() {
        driverCore.unregisterDriver(driver);
        driver.moduleExit();
        ctx.log().emit(new ModuleEvent.Exit(NovaCoreDriver.NAME));
    }
}
