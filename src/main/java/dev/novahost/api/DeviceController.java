package dev.novahost.api;

import dev.novahost.kernel.machine.Devices;
import dev.novahost.kernel.machine.Teardown;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.novacore.MmioService;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciBus;
import dev.novahost.kernel.pci.PciDevice;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Devices on the bus, and their registers as the bound driver reads them. */
@RestController
@RequestMapping(path = "/api/v1/devices", produces = MediaType.APPLICATION_JSON_VALUE)
class DeviceController {

    /**
     * What a route that answers 204 produces: anything. Its success has no body, so no {@code Accept}
     * can be unacceptable (RFC 9110 §12.5.1); the class-level JSON alone refused
     * {@code application/problem+json} with a 406. Its errors are problem+json whatever was asked.
     */
    static final String NO_BODY = MediaType.ALL_VALUE;

    private final Devices devices;
    /** The registers' routes go only through this service (its class comment counts the hops). */
    private final MmioService mmio;
    private final ApiLimits limits;
    /** Hot-unplug runs as a task, which the request waits for at most {@link #waits}. */
    private final Teardown teardown;
    private final TaskWaits waits;

    DeviceController(Devices devices, MmioService mmio, ApiLimits limits, Teardown teardown, TaskWaits waits) {
        this.devices = devices;
        this.mmio = mmio;
        this.limits = limits;
        this.teardown = teardown;
        this.waits = waits;
    }

    @GetMapping
    List<DeviceView> list() {
        return devices.all().stream().map(this::view).toList();
    }

    @PostMapping
    ResponseEntity<DeviceView> create(@RequestBody CreateDeviceRequest request) {
        if (request.chipset() == null) {
            throw KernelException.of(Errno.EINVAL, "Field 'chipset' is required, e.g. {\"chipset\":\"GA102\"}");
        }
        var chipset = Chipset.named(request.chipset());
        var address = Optional.ofNullable(request.address()).map(PciAddress::parse);
        int revision = request.revision() == null ? PciBus.DEFAULT_REVISION : Hex.parseValue32(request.revision());
        var device = devices.hotplug(chipset, address, revision);
        return ResponseEntity.created(URI.create("/api/v1/devices/" + device.address())).body(view(device));
    }

    @GetMapping("/{address}")
    DeviceView get(@PathVariable String address) {
        return view(devices.get(PciAddress.parse(address)));
    }

    /**
     * 204 and no body: nothing to negotiate, so any {@code Accept} will do ({@link #NO_BODY}); or
     * {@code 202} and the task if the unplug is still waiting after {@code wait} ms.
     */
    @DeleteMapping(path = "/{address}", produces = NO_BODY)
    ResponseEntity<?> delete(@PathVariable String address, @RequestParam(required = false) String wait) {
        var device = PciAddress.parse(address);
        var waitFor = waits.parse(wait);
        var task = teardown.hotUnplug(device);
        return TaskView.answer(task, waitFor, () -> ResponseEntity.noContent().build());
    }

    @PostMapping("/{address}/surprise-removal")
    DeviceView surpriseRemoval(@PathVariable String address) {
        return view(devices.surpriseRemove(PciAddress.parse(address)));
    }

    @GetMapping("/{address}/mmio/{offset}")
    RegisterView read(@PathVariable String address, @PathVariable String offset) {
        int at = Hex.parseOffset(offset);
        return RegisterView.of(at, mmio.read(PciAddress.parse(address), at));
    }

    @PutMapping("/{address}/mmio/{offset}")
    RegisterView write(@PathVariable String address, @PathVariable String offset,
                       @RequestBody WriteRegisterRequest request) {
        int at = Hex.parseOffset(offset);
        int value = request.registerValue();
        var device = PciAddress.parse(address);
        mmio.write(device, at, value);
        return RegisterView.of(at, value);
    }

    @GetMapping("/{address}/mmio")
    RangeView readRange(@PathVariable String address, @RequestParam String offset,
                        @RequestParam(defaultValue = "1") String count) {
        int at = Hex.parseOffset(offset);
        int n = Hex.parseOffset(count);
        if (n < 1 || n > limits.maxRangeRead()) {
            throw KernelException.of(n < 1 ? Errno.EINVAL : Errno.E2BIG,
                    "count must be between 1 and " + limits.maxRangeRead() + " registers, was " + count);
        }
        return RangeView.of(at, mmio.readRange(PciAddress.parse(address), at, n));
    }

    @GetMapping("/{address}/ptimer")
    PtimerView ptimer(@PathVariable String address) {
        var device = PciAddress.parse(address);
        return PtimerView.of(device.toString(), mmio.readPtimer(device));
    }

    private DeviceView view(PciDevice device) {
        return DeviceView.of(device, devices.binding(device));
    }
}
