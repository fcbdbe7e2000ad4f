package dev.novahost.kernel.machine;

import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.task.Task;
import dev.novahost.kernel.task.Tasks;

/**
 * The operations that wait in the kernel (sysfs unbind, {@code rmmod}, an orderly hot-unplug: each
 * waits for callbacks, accesses or file operations in flight), started as {@link Task}s so that the
 * caller may stop waiting for one without stopping it: the kernel service behind the API's routes that
 * answer {@code 202} with a task. Each does exactly what the plain call does ({@link DriverCore#unbind},
 * {@link Modules#unload}, {@link Devices#hotUnplug}), on the task's thread.
 *
 * <p>Thread-safety: stateless; any thread may call it. {@link Tasks} bounds how many run at once.
 */
public final class Teardown {

    private final Tasks tasks;
    private final DriverCore driverCore;
    private final Modules modules;
    private final Devices devices;

    Teardown(Tasks tasks, DriverCore driverCore, Modules modules, Devices devices) {
        this.tasks = tasks;
        this.driverCore = driverCore;
        this.modules = modules;
        this.devices = devices;
    }

    /** sysfs unbind of {@code device} from {@code driver}, as task {@code unbind ADDRESS}. */
    public Task unbind(String driver, PciAddress device) {
        return tasks.start(unbindTask(device), () -> driverCore.unbind(driver, device));
    }

    /** {@code rmmod} in {@code mode}, as task {@code rmmod NAME}. */
    public Task unload(String module, UnloadMode mode) {
        return tasks.start(unloadTask(module), () -> modules.unload(module, mode));
    }

    /** Orderly hot-unplug, as task {@code unplug ADDRESS}. */
    public Task hotUnplug(PciAddress device) {
        return tasks.start(unplugTask(device), () -> devices.hotUnplug(device));
    }

    // The task names, in one place: a scenario's steps run under the same ones, so that lockdep's and
    // khungtaskd's reports name an operation alike whoever started it.

    /** {@code unbind 0000:01:00.0}. */
    public static String unbindTask(Object device) {
        return "unbind " + device;
    }

    /** {@code rmmod nova-core}. */
    public static String unloadTask(String module) {
        return "rmmod " + module;
    }

    /** {@code unplug 0000:01:00.0}. */
    public static String unplugTask(Object device) {
        return "unplug " + device;
    }
}
