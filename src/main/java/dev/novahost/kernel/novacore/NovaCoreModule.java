package dev.novahost.kernel.novacore;

import dev.novahost.kernel.events.ModuleEvent;
import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.module.ModuleCode;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.task.Breakpoints;
import dev.novahost.kernel.work.Workqueue;
import java.util.Set;

/**
 * nova-core's {@code module_init} / {@code module_exit}: allocate the module's workqueue and register
 * the PCI driver; unregister it (unbinding every device), then stop what lives at module scope, with the
 * driver's faults (a forgotten cancel is forgotten here too).
 *
 * <p>{@code rmmod} reaches two teardown points ({@link Breakpoints}): {@code nova-core module_exit} as the
 * exit function begins and {@code nova-core module_free} as it returns. Both are here, in the exit function,
 * because {@code Module.unload} runs it and frees the text with nothing else between, under
 * {@code module_mutex}: its first line is where the kernel calls {@code mod->exit()} (the module is already
 * {@code going}, so no new reference can be taken), its last the moment before the text is freed.
 */
public final class NovaCoreModule implements ModuleCode {

    /** The point reached before module_exit does anything: the driver is still registered. */
    public static final String EXIT_POINT = "module_exit";
    /** The point reached after module_exit, before the module's text is freed. */
    public static final String FREE_POINT = "module_free";
    /** The module's points, whose owner is the module, not a device. */
    public static final Set<String> POINTS = Set.of(EXIT_POINT, FREE_POINT);

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
        ctx.breakpoints().reach(Breakpoints.point(NovaCoreDriver.NAME, EXIT_POINT));
        driverCore.unregisterDriver(driver);
        objects.moduleExit();
        ctx.log().emit(new ModuleEvent.Exit(NovaCoreDriver.NAME));
        ctx.breakpoints().reach(Breakpoints.point(NovaCoreDriver.NAME, FREE_POINT));
    }
}
