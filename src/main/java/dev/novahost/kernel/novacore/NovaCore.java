package dev.novahost.kernel.novacore;

import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.module.Module;
import dev.novahost.kernel.sanitizer.Sanitizer;
import dev.novahost.kernel.timer.TimerEngine;
import dev.novahost.kernel.work.Workqueue;
import java.util.concurrent.atomic.AtomicLong;

/** The nova-core module as the kernel installs it: the module object and the PCI driver it registers. */
public final class NovaCore {

    private final NovaCoreDriver driver;
    private final Module module;

    public NovaCore(DriverCore driverCore, TimerEngine engine, Workqueue systemWq, EventLog log, Sanitizer sanitizer,
                    BarAccounting accounting, ObjectLimits limits) {
        var ctx = new NovaContext(engine, systemWq, log, sanitizer, accounting, new AtomicLong(), limits);
        this.driver = new NovaCoreDriver(ctx);
        this.module = new Module(NovaCoreDriver.NAME, new NovaCoreModule(driverCore, driver, ctx));
        driverCore.declare(NovaCoreDriver.NAME);
    }

    public NovaCoreDriver driver() {
        return driver;
    }

    public Module module() {
        return module;
    }
}
