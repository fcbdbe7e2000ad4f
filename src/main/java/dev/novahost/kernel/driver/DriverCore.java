package dev.novahost.kernel.driver;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.devres.DevresList;
import dev.novahost.kernel.events.DevresEvent;
import dev.novahost.kernel.events.DriverEvent;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.lockdep.LockClass;
import dev.novahost.kernel.lockdep.Lockdep;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciBus;
import dev.novahost.kernel.pci.PciDevice;
import dev.novahost.kernel.task.Breakpoints;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The driver core ({@code drivers/base/dd.c} and {@code bus.c}): registers drivers, matches them to
 * devices, binds ({@code really_probe}) and unbinds ({@code device_release_driver}).
 *
 * <p>Rules kept here: probe failure releases the devres list in reverse order and leaves the device
 * unbound; unbind runs the driver's {@code remove()}, then releases the devres list, and only then is
 * the device unbound; a driver that is unregistered is unbound from every device first.
 *
 * <p>Thread-safety: every bind, unbind and release of one device holds that device's lock
 * ({@code device_lock}), so they never overlap for one device. The binding table is a concurrent map
 * written only under the device lock and read without it: a reader sees either the whole binding or
 * none. A driver's {@code registered} flag is volatile and is cleared before the unregister path walks
 * the bus, so a probe racing with unregister either sees it cleared or is undone by that walk.
 */
public final class DriverCore {

    private static final class DriverEntry {
        final String name;
        volatile PciDriver<?> registered;
        volatile Policy policy = Policy.REVOCABLE;

        DriverEntry(String name) {
            this.name = name;
        }
    }

    private final PciBus bus;
    private final EventLog events;
    private final Lockdep lockdep;
    private final LockClass deviceMutex;
    private final Breakpoints breakpoints;
    private final Map<String, DriverEntry> drivers = new ConcurrentHashMap<>();
    private final Map<PciDevice, Binding<?>> bindings = new ConcurrentHashMap<>();
    private volatile boolean devresLog;

    public DriverCore(PciBus bus, EventLog events) {
        this(bus, events, Lockdep.disabled());
    }

    /** A driver core whose device locks {@code lockdep} sees, as class {@code &dev->mutex}. */
    public DriverCore(PciBus bus, EventLog events, Lockdep lockdep) {
        this(bus, events, lockdep, new Breakpoints());
    }

    /**
     * A driver core whose device locks {@code lockdep} sees and whose unbinds reach the point
     * {@code ADDRESS devres:NAME} of {@code breakpoints} before each devres entry is released, where a
     * schedule's reproducer holds them.
     */
    public DriverCore(PciBus bus, EventLog events, Lockdep lockdep, Breakpoints breakpoints) {
        this.bus = bus;
        this.events = events;
        this.lockdep = lockdep;
        this.deviceMutex = lockdep.lockClass("&dev->mutex");
        this.breakpoints = breakpoints;
    }

    /** Makes a driver name known (its module may not be loaded yet), so its policy can be set. */
    public void declare(String name) {
        drivers.computeIfAbsent(name, DriverEntry::new);
    }

    public List<String> driverNames() {
        return drivers.keySet().stream().sorted().toList();
    }

    public boolean isRegistered(String name) {
        return entry(name).registered != null;
    }

    public Policy policy(String driver) {
        return entry(driver).policy;
    }

    /** The policy applies from the next probe on; devices bound now keep the one they were probed with. */
    public void setPolicy(String driver, Policy policy) {
        entry(driver).policy = policy;
        events.emit(new DriverEvent.PolicyChanged(driver, policy));
    }

    /**
     * Linux's {@code devres.log=1}: from the next probe on, each entry added to a device's devres list is a
     * {@code devres.added} line, so that the log shows what a failed probe acquired before its unwind. Off
     * by default (the live host's log stays as it was); a sweep turns it on in its own kernels.
     */
    public void setDevresLog(boolean on) {
        devresLog = on;
    }

    /** {@code driver_register}, then {@code driver_attach}: probe every matching unbound device. */
    public void registerDriver(PciDriver<?> driver) {
        var entry = drivers.computeIfAbsent(driver.name(), DriverEntry::new);
        synchronized (entry) {
            if (entry.registered != null) {
                throw KernelException.of(Errno.EBUSY, "Driver " + driver.name() + " is already registered");
            }
            entry.registered = driver;
        }
        for (PciDevice device : bus.devices()) {
            autoprobe(device, driver);
        }
    }

    /** {@code driver_unregister}: no new probes, then unbind every device bound to the driver. */
    public void unregisterDriver(PciDriver<?> driver) {
        var entry = entry(driver.name());
        entry.registered = null;
        for (PciDevice device : bus.devices()) {
            try (var locked = lockDevice(device, "driver_detach")) {
                var binding = bindings.get(device);
                if (binding != null && binding.driver() == driver) {
                    releaseDriver(device, binding);
                }
            }
        }
    }

    /** {@code bus_probe_device} for a hot-plugged device: try each registered driver; failures leave it unbound. */
    public void autoprobe(PciDevice device) {
        for (DriverEntry entry : drivers.values()) {
            var driver = entry.registered;
            if (driver != null) {
                autoprobe(device, driver);
            }
        }
    }

    private void autoprobe(PciDevice device, PciDriver<?> driver) {
        if (!driver.matches(device)) {
            return;
        }
        try (var locked = lockDevice(device, "__device_attach")) {
            if (isOnBus(device) && !bindings.containsKey(device) && entry(driver.name()).registered == driver) {
                reallyProbe(device, driver);
            }
        } catch (KernelException probeFailed) {
            // Autoprobe failure is not an error of whoever plugged the device in; its probe-failed event has it.
        }
    }

    /**
     * sysfs {@code bind}: {@code ENODEV} for an unknown device (or one the driver does not match),
     * {@code ENOENT} when the driver is not registered, {@code EBUSY} when the device already has a
     * driver, otherwise whatever probe returns ({@code EPROBE_DEFER} becomes {@code EAGAIN}).
     */
    public void bind(String driverName, PciAddress address) {
        var device = bus.get(address);
        var driver = registered(driverName);
        if (!driver.matches(device)) {
            throw KernelException.of(Errno.ENODEV, "Driver " + driverName + " does not match " + device);
        }
        try (var locked = lockDevice(device, "bind_store")) {
            if (!isOnBus(device)) {
                throw KernelException.notFound(Errno.ENODEV, "No device at " + address);
            }
            var current = bindings.get(device);
            if (current != null) {
                throw KernelException.of(Errno.EBUSY, address + " is already bound to " + current.driver().name());
            }
            if (entry(driverName).registered != driver) {
                throw KernelException.notFound(Errno.ENOENT, "Driver " + driverName + " is not registered");
            }
            reallyProbe(device, driver);
        }
    }

    /** sysfs {@code unbind}: {@code ENODEV} when the device is not bound to this driver. */
    public void unbind(String driverName, PciAddress address) {
        entry(driverName);
        var device = bus.get(address);
        try (var locked = lockDevice(device, "unbind_store")) {
            var binding = bindings.get(device);
            if (binding == null || !binding.driver().name().equals(driverName)) {
                throw KernelException.notFound(Errno.ENODEV, address + " is not bound to " + driverName);
            }
            releaseDriver(device, binding);
        }
    }

    /**
     * {@code device_lock}: takes the device's mutex, as lockdep's class {@code &dev->mutex}, until the
     * handle is closed. Every bind, unbind and hot-unplug holds it.
     */
    public Lockdep.Acquired lockDevice(PciDevice device, String where) {
        var held = lockdep.acquire(deviceMutex, where);
        device.lock().lock();
        return () -> {
            device.lock().unlock();
            held.close();
        };
    }

    /** Releases whatever driver the device has; for hot-unplug. The caller holds the device lock. */
    public void releaseDriver(PciDevice device) {
        var binding = bindings.get(device);
        if (binding != null) {
            releaseDriver(device, binding);
        }
    }

    /** The device's binding, if it has one. */
    public Optional<Binding<?>> binding(PciDevice device) {
        return Optional.ofNullable(bindings.get(device));
    }

    /** The driver data {@code driver} attached to the device, if that driver is the one bound. */
    @SuppressWarnings("unchecked")
    public <D> Optional<D> driverData(PciDevice device, PciDriver<D> driver) {
        var binding = bindings.get(device);
        return binding != null && binding.driver() == driver ? Optional.of((D) binding.data()) : Optional.empty();
    }

    public Collection<Binding<?>> bindings() {
        return List.copyOf(bindings.values());
    }

    private <D> void reallyProbe(PciDevice device, PciDriver<D> driver) {
        String address = device.address().toString();
        var devres = devresLog ? new DevresList(name -> events.emit(new DevresEvent.Added(address, name)))
                : new DevresList();
        var bound = new BoundDevice(device);
        var policy = entry(driver.name()).policy;
        D data;
        try {
            data = driver.probe(new ProbeContext(bound, devres, policy));
        } catch (RuntimeException failed) {
            releaseAll(device, devres);
            if (!(failed instanceof KernelException)) {
                events.emit(new DriverEvent.ProbeFailed(device, driver.name(), Errno.EIO));
                throw failed;
            }
            var kernelError = (KernelException) failed;
            var errno = kernelError.errno() == Errno.EPROBE_DEFER ? Errno.EAGAIN : kernelError.errno();
            events.emit(new DriverEvent.ProbeFailed(device, driver.name(), errno));
            throw errno == kernelError.errno() ? kernelError
                    : KernelException.of(errno, "Probe of " + device.address() + " deferred: " + kernelError.getMessage());
        }
        bindings.put(device, new Binding<>(driver, data, devres, policy, bound));
        events.emit(new DriverEvent.Bound(device, driver.name(), policy));
    }

    /** {@code __device_release_driver}: remove(), then {@code devres_release_all}, then the device is unbound. */
    private void releaseDriver(PciDevice device, Binding<?> binding) {
        long start = System.nanoTime();
        binding.remove();
        String address = device.address().toString();
        var released = binding.devres().releaseEach(
                name -> breakpoints.reach(Breakpoints.point(address, "devres:" + name)));
        logReleased(device, released);
        bindings.remove(device);
        binding.leakCheck();
        events.emit(new DriverEvent.Unbound(device, binding.driver().name(), System.nanoTime() - start));
    }

    private void releaseAll(PciDevice device, DevresList devres) {
        logReleased(device, devres.releaseAll());
    }

    /** One line per entry, once all are released (an unbind held between two entries has logged none yet). */
    private void logReleased(PciDevice device, List<String> released) {
        for (String name : released) {
            events.emit(new DevresEvent.Released(device.address().toString(), name));
        }
    }

    private boolean isOnBus(PciDevice device) {
        return bus.find(device.address()).orElse(null) == device;
    }

    private DriverEntry entry(String name) {
        var entry = drivers.get(name);
        if (entry == null) {
            throw KernelException.notFound(Errno.ENOENT, "No driver named '" + name + "'");
        }
        return entry;
    }

    private PciDriver<?> registered(String name) {
        var driver = entry(name).registered;
        if (driver == null) {
            throw KernelException.notFound(Errno.ENOENT, "Driver " + name + " is not registered (is its module loaded?)");
        }
        return driver;
    }
}
