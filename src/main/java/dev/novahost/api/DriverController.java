package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Kernel;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.pci.PciAddress;
import java.util.List;
import java.util.Locale;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** sysfs {@code /sys/bus/pci/drivers/*}: bind, unbind, and the lifecycle policy of each driver. */
@RestController
@RequestMapping(path = "/api/v1/drivers", produces = MediaType.APPLICATION_JSON_VALUE)
class DriverController {

    private final Kernel kernel;

    DriverController(Kernel kernel) {
        this.kernel = kernel;
    }

    @GetMapping
    List<DriverView> list() {
        return kernel.driverCore().driverNames().stream().map(this::view).toList();
    }

    @GetMapping("/{name}")
    DriverView get(@PathVariable String name) {
        return view(name);
    }

    @PostMapping("/{name}/bind")
    DeviceView bind(@PathVariable String name, @RequestBody BindRequest request) {
        var address = deviceOf(request);
        kernel.driverCore().bind(name, address);
        return deviceView(address);
    }

    @PostMapping("/{name}/unbind")
    DeviceView unbind(@PathVariable String name, @RequestBody BindRequest request) {
        var address = deviceOf(request);
        kernel.driverCore().unbind(name, address);
        return deviceView(address);
    }

    @GetMapping("/{name}/faults")
    FaultsView faults(@PathVariable String name) {
        requireNovaCore(name);
        return FaultsView.of(kernel.faults());
    }

    /** Replaces the injected bugs; they take effect the next time remove() or probe runs. */
    @PutMapping("/{name}/faults")
    FaultsView setFaults(@PathVariable String name, @RequestBody FaultsView request) {
        requireNovaCore(name);
        kernel.setFaults(request.toFaults());
        return FaultsView.of(kernel.faults());
    }

    /** Only nova-core has injectable bugs; another known driver has none to set. */
    private void requireNovaCore(String name) {
        kernel.driverCore().policy(name);
        if (!NovaCoreDriver.NAME.equals(name)) {
            throw KernelException.of(Errno.EINVAL, "Driver " + name + " has no injectable faults");
        }
    }

    @GetMapping("/{name}/policy")
    PolicyView policy(@PathVariable String name) {
        return new PolicyView(lower(kernel.driverCore().policy(name)));
    }

    @PutMapping("/{name}/policy")
    PolicyView setPolicy(@PathVariable String name, @RequestBody PolicyView request) {
        var policy = Words.parse(Policy.class, "policy", request.policy());
        kernel.driverCore().setPolicy(name, policy);
        return new PolicyView(lower(policy));
    }


    private static PciAddress deviceOf(BindRequest request) {
        if (request.device() == null) {
            throw KernelException.of(Errno.EINVAL, "Field 'device' is required, e.g. {\"device\":\"0000:01:00.0\"}");
        }
        return PciAddress.parse(request.device());
    }

    private DeviceView deviceView(PciAddress address) {
        var device = kernel.bus().get(address);
        return DeviceView.of(device, kernel.driverCore().binding(device));
    }

    private DriverView view(String name) {
        var core = kernel.driverCore();
        var devices = core.bindings().stream()
                .filter(b -> b.driver().name().equals(name))
                .map(b -> b.bound().device().address())
                .sorted()
                .map(PciAddress::toString)
                .toList();
        return new DriverView(name, core.isRegistered(name), lower(core.policy(name)), devices);
    }

    private static String lower(Policy policy) {
        return policy.name().toLowerCase(Locale.ROOT);
    }
}
