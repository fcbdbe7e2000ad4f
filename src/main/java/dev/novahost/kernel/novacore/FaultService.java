package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.fault.InjectionPoint;
import java.util.List;

/**
 * The bugs injected into a driver's probe and remove(): the kernel service behind the API's faults
 * routes. Only nova-core has injectable bugs; the rule is kept here, once, so that another known driver
 * is {@code EINVAL} and an unknown one {@code ENOENT}, whichever adapter asks.
 *
 * <p>Thread-safety: stateless; any thread may call it. The driver holds its faults in a volatile
 * reference to an immutable value.
 */
public final class FaultService {

    private final DriverCore driverCore;
    private final NovaCoreDriver driver;

    FaultService(DriverCore driverCore, NovaCoreDriver driver) {
        this.driverCore = driverCore;
        this.driver = driver;
    }

    /** The faults driver {@code name} has now. */
    public Faults of(String name) {
        requireInjectable(name);
        return driver.faults();
    }

    /** Replaces the injected bugs; they take effect the next time remove() or probe runs. */
    public Faults set(String name, Faults faults) {
        requireInjectable(name);
        driver.setFaults(faults);
        return driver.faults();
    }

    /**
     * The driver's injection points in probe order ({@code fail_function/injectable}). {@code probeFailure}
     * is the shorthand for failing probe after all of them went through.
     */
    public List<InjectionPoint> injectable(String name) {
        requireInjectable(name);
        return List.of(InjectionPoint.values());
    }

    private void requireInjectable(String name) {
        driverCore.policy(name); // ENOENT for a driver the kernel does not know
        if (!NovaCoreDriver.NAME.equals(name)) {
            throw KernelException.of(Errno.EINVAL, "Driver " + name + " has no injectable faults");
        }
    }
}
