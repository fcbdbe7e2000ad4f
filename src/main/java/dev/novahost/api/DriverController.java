package dev.novahost.api;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.machine.Devices;
import dev.novahost.kernel.machine.Teardown;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.FaultService;
import dev.novahost.kernel.pci.PciAddress;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** sysfs {@code /sys/bus/pci/drivers/*}: bind, unbind, and the lifecycle policy of each driver. */
@RestController
@RequestMapping(path = "/api/v1/drivers", produces = MediaType.APPLICATION_JSON_VALUE)
class DriverController {

    /** Bindings and policies. */
    private final DriverCore drivers;
    /** The device a bind or unbind answers with. */
    private final Devices devices;
    private final FaultService faults;
    /** Unbind runs as a task, which the request waits for at most {@link #waits}. */
    private final Teardown teardown;
    private final TaskWaits waits;

    DriverController(DriverCore drivers, Devices devices, FaultService faults, Teardown teardown, TaskWaits waits) {
        this.drivers = drivers;
        this.devices = devices;
        this.faults = faults;
        this.teardown = teardown;
        this.waits = waits;
    }

    @GetMapping
    List<DriverView> list() {
        return drivers.driverNames().stream().map(this::view).toList();
    }

    @GetMapping("/{name}")
    DriverView get(@PathVariable String name) {
        return view(name);
    }

    @PostMapping("/{name}/bind")
    DeviceView bind(@PathVariable String name, @RequestBody BindRequest request) {
        var address = deviceOf(request);
        drivers.bind(name, address);
        return deviceView(address);
    }

    /** The unbound device, or {@code 202} and the task if the unbind is still waiting after {@code wait} ms. */
    @PostMapping("/{name}/unbind")
    ResponseEntity<?> unbind(@PathVariable String name, @RequestBody BindRequest request,
                             @RequestParam(required = false) String wait) {
        var address = deviceOf(request);
        var waitFor = waits.parse(wait);
        var task = teardown.unbind(name, address);
        return TaskView.answer(task, waitFor, () -> ResponseEntity.ok(deviceView(address)));
    }

    @GetMapping("/{name}/faults")
    FaultsView faults(@PathVariable String name) {
        return FaultsView.of(faults.of(name));
    }

    /** Replaces the injected bugs; they take effect the next time remove() or probe runs. */
    @PutMapping("/{name}/faults")
    FaultsView setFaults(@PathVariable String name, @RequestBody FaultsView request) {
        return FaultsView.of(faults.set(name, request.toFaults()));
    }

    @GetMapping("/{name}/policy")
    PolicyView policy(@PathVariable String name) {
        return new PolicyView(WireWord.of(drivers.policy(name)));
    }

    @PutMapping("/{name}/policy")
    PolicyView setPolicy(@PathVariable String name, @RequestBody PolicyView request) {
        var policy = Words.parse(Policy.class, "policy", request.policy());
        drivers.setPolicy(name, policy);
        return new PolicyView(WireWord.of(policy));
    }


    private static PciAddress deviceOf(BindRequest request) {
        if (request.device() == null) {
            throw KernelException.of(Errno.EINVAL, "Field 'device' is required, e.g. {\"device\":\"0000:01:00.0\"}");
        }
        return PciAddress.parse(request.device());
    }

    private DeviceView deviceView(PciAddress address) {
        var device = devices.get(address);
        return DeviceView.of(device, devices.binding(device));
    }

    private DriverView view(String name) {
        var bound = drivers.bindings().stream()
                .filter(b -> b.driver().name().equals(name))
                .map(b -> b.bound().device().address())
                .sorted()
                .map(PciAddress::toString)
                .toList();
        return new DriverView(name, drivers.isRegistered(name), WireWord.of(drivers.policy(name)), bound);
    }

}
