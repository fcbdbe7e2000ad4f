package dev.novahost.kernel.novacore;

import dev.novahost.kernel.events.ModuleEvent;
import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.module.ModuleCode;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.work.Workqueue;

/**
 * nova-core's {@code module_init} / {@code module_exit}: allocate the module's workqueue and register
 * the PCI driver; unregister it (unbinding every device), then stop what lives at module scope, with the
 * driver's faults (a forgotten cancel is forgotten here too).
 */
public final class NovaCoreModule implements ModuleCode {

    private final DriverCore driverCore;
    private final NovaCoreDriver driver;
    private final DriverObjects objects;
    private final NovaContext ctx;

    NovaCoreModule(DriverCore driverCore, NovaCoreDriver driver, DriverObjects objects, NovaContext ctx) {
        this.driverCore = driverCore;
        this.driver = driver;
        this.objects = objects;
        this.ctx = ctx;
    }

    @Override
    public void init(ModuleText text) {
        objects.moduleLoaded(new ModuleObjects(text, new Workqueue("nova-core", ctx.engine())));
        ctx.log().emit(new ModuleEvent.Init(NovaCoreDriver.NAME, text));
        driverCore.registerDriver(driver);
    }

    @Override
    public void exit() {
        driverCore.unregisterDriver(driver);
        objects.moduleExit();
        ctx.log().emit(new ModuleEvent.Exit(NovaCoreDriver.NAME));
    }
}
