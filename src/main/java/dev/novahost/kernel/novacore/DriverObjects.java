package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.module.Module;
import java.util.Optional;

/**
 * The timers, work items and files nova-core makes on its devices, from creation to cancel or close:
 * each is made on a driver instance ({@link NovaDevice}), registered with its device or, at module
 * scope, with the module's {@link ModuleObjects}, and entered in the host-wide {@link ObjectTable} by
 * which the API finds it again.
 *
 * <p>It also holds the module-scope share of the current load: {@code module_init} hands it in and
 * {@code module_exit} takes it back. It lives here, not in {@link NovaCoreModule}, because both the
 * objects made here and the driver's probe and remove need it, and the module registers the driver: the
 * wiring stays one way (module, driver, objects) with nothing pointing back.
 *
 * <p>Thread-safety: any thread may call it. A device's objects are made under the device's admit lock
 * ({@link NovaDevice#admit}), so that remove() either sees one or refuses it; the module reference is
 * volatile (set at init, cleared at exit, after the driver is unregistered); the table and the module
 * sets state their own.
 */
public final class DriverObjects {

    private final NovaContext ctx;
    private final ObjectTable table = new ObjectTable();
    private volatile ModuleObjects module;

    DriverObjects(NovaContext ctx) {
        this.ctx = ctx;
    }

    /** Where the API finds a timer or work item by id and a file by descriptor. */
    public ObjectTable table() {
        return table;
    }

    // --- made through the API -----------------------------------------------------------------------

    /**
     * Arms a timer on the driver instance. A {@code queue-work} timer may only queue a work item of that
     * same instance: remove() stops the work of the instance it removes, and a timer of another one
     * (another device, or a later binding of this one) would queue it after that, into freed memory.
     *
     * <p>Every check (removal under way, the target, the device's limit) comes before the timer is
     * made: a refused timer takes no id and writes no {@code timer.created} line.
     */
    public DriverTimer armTimer(NovaDevice device, DriverTimer.Spec spec) {
        refuseBlockOnVirtualTime(spec.action());
        var loaded = liveModule();
        return device.admit(() -> {
            spec.target().ifPresent(work -> refuseForeignTarget(device, work));
            device.countTimer(ctx.limits());
            var timer = new DriverTimer(ctx, device, loaded.text(), spec);
            if (spec.scope() == Scope.DEVICE) {
                device.add(timer);
            } else {
                loaded.add(timer);
            }
            table.add(timer);
            timer.start();
            return timer;
        });
    }

    /**
     * {@code EINVAL} for {@code block} on virtual time: its callback runs on the thread that advances the
     * clock, so nothing could ever release it.
     */
    private void refuseBlockOnVirtualTime(Action action) {
        if (action == Action.BLOCK && ctx.engine().isVirtual()) {
            throw KernelException.of(Errno.EINVAL, "block needs real time: on virtual time the callback runs on the"
                    + " thread that advances the clock, and nothing could release it");
        }
    }

    /**
     * {@code EINVAL} for a work item of another driver instance. Checked under the admit lock, so that
     * the instance cannot be removed between the check and the arming.
     */
    private static void refuseForeignTarget(NovaDevice device, DriverWork work) {
        var owner = work.owner();
        if (owner == device) {
            return;
        }
        throw KernelException.of(Errno.EINVAL, owner.address().equals(device.address())
                ? work.name() + " belongs to an earlier binding of " + owner.address() + ", which has been unbound;"
                        + " a timer can only queue work of the driver instance it is armed on"
                : work.name() + " belongs to " + owner.address() + ", not to " + device.address()
                        + "; a timer can only queue work of the device it is armed on");
    }

    /** Queues a work item; as for timers, a refused one takes no id and writes no {@code work.created} line. */
    public DriverWork queueWork(NovaDevice device, DriverWork.Spec spec) {
        refuseBlockOnVirtualTime(spec.action());
        var loaded = liveModule();
        var queue = spec.scope() == Scope.DEVICE ? ctx.systemWq() : loaded.workqueue();
        return device.admit(() -> {
            device.countWork(ctx.limits());
            var work = new DriverWork(ctx, device, loaded.text(), queue, spec);
            if (spec.scope() == Scope.DEVICE) {
                device.add(work);
            } else {
                loaded.add(work);
            }
            table.add(work);
            work.submit();
            return work;
        });
    }

    /**
     * {@code open}: a module reference first ({@code try_module_get}), {@code ENODEV} once unload has begun.
     * The device's file limit is checked and the file added under one hold of the device's lock, before a
     * descriptor is allocated: concurrent opens cannot overshoot the limit, and a refused one takes no fd.
     */
    public DeviceFile openFile(NovaDevice device, Module owner) {
        return device.admit(() -> {
            device.checkFileLimit(ctx.limits());
            var file = new DeviceFile(ctx, table.allocateFd(), device);
            var ref = owner.tryGet(file::disassociate).orElseThrow(() -> KernelException.of(Errno.ENODEV,
                    "nova-core is being unloaded; try_module_get failed"));
            device.add(file);
            file.opened(ref);
            table.add(file);
            return file;
        });
    }

    /** {@code hrtimer_cancel} + shutdown, then the timer leaves its device or module and the table. */
    public DriverTimer cancelTimer(long id) {
        var timer = table.timer(id);
        timer.cancel();
        table.remove(timer);
        timer.owner().forget(timer);
        module().ifPresent(loaded -> loaded.forget(timer));
        return timer;
    }

    /** {@code disable_work_sync}, then the work item leaves its device or module and the table. */
    public DriverWork cancelWork(long id) {
        var work = table.work(id);
        work.disable();
        table.remove(work);
        work.owner().forget(work);
        module().ifPresent(loaded -> loaded.forget(work));
        return work;
    }

    /** {@code close}: the file leaves the table even when its release fails. */
    public void closeFile(int fd) {
        var file = table.file(fd);
        try {
            file.close();
        } finally {
            table.remove(file);
        }
    }

    // --- the module's share -------------------------------------------------------------------------

    /** The module-scope share of the current load; empty while nova-core is not loaded. */
    Optional<ModuleObjects> module() {
        return Optional.ofNullable(module);
    }

    /** {@code ENODEV} while nova-core is not loaded: nothing can be made without its text. */
    ModuleObjects liveModule() {
        return module().orElseThrow(() -> KernelException.of(Errno.ENODEV, "nova-core is not loaded"));
    }

    void moduleLoaded(ModuleObjects objects) {
        this.module = objects;
    }

    /**
     * {@code module_exit}'s part after the driver is unregistered: the module stops what it owns
     * ({@link ModuleObjects#exit}), and what has ended leaves the table; what is still active stays
     * listed, as it may still run.
     */
    void moduleExit() {
        var loaded = liveModule();
        loaded.exit(ctx);
        loaded.timers().stream().filter(t -> !t.isActive()).forEach(table::remove);
        loaded.works().stream().filter(w -> !w.isActive()).forEach(table::remove);
        module = null;
    }
}
