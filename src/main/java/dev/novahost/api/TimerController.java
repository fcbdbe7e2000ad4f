package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.CallbackDelay;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.novacore.TimerService;
import dev.novahost.kernel.pci.PciAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Timers nova-core arms on a bound device (hrtimers with a driver callback). It parses requests and
 * answers with views; every rule about the timer, its work item and its device is the kernel's
 * ({@link TimerService}).
 */
@RestController
@RequestMapping(produces = MediaType.APPLICATION_JSON_VALUE)
class TimerController {

    private final TimerService timers;

    TimerController(TimerService timers) {
        this.timers = timers;
    }

    @PostMapping("/api/v1/devices/{address}/timers")
    ResponseEntity<TimerView> arm(@PathVariable String address, @RequestBody TimerRequest request) {
        var device = PciAddress.parse(address);
        var spec = spec(request);
        var timer = timers.arm(device, spec);
        return ResponseEntity.created(URI.create("/api/v1/timers/" + timer.id())).body(TimerView.of(timer));
    }

    @GetMapping("/api/v1/devices/{address}/timers")
    List<TimerView> ofDevice(@PathVariable String address) {
        return timers.of(PciAddress.parse(address)).stream().map(TimerView::of).toList();
    }

    @GetMapping("/api/v1/timers")
    List<TimerView> timers() {
        return timers.all().stream().map(TimerView::of).toList();
    }

    @GetMapping("/api/v1/timers/{id}")
    TimerView get(@PathVariable long id) {
        return TimerView.of(timers.get(id));
    }

    /** {@code hrtimer_cancel} + shutdown: when this returns the callback is not running and never will. */
    @DeleteMapping("/api/v1/timers/{id}")
    TimerView cancel(@PathVariable long id) {
        return TimerView.of(timers.cancel(id));
    }

    /** Lets a {@code block} callback blocked now go on; the kernel's rules ({@link TimerService#release}). */
    @PostMapping("/api/v1/devices/{address}/timers/{id}/release")
    TimerView release(@PathVariable String address, @PathVariable long id) {
        return TimerView.of(timers.release(PciAddress.parse(address), id));
    }

    /** Only parses: the spec keeps the rules of a timer ({@link DriverTimer.Spec}). */
    private DriverTimer.Spec spec(TimerRequest request) {
        var mode = Words.parse(TimerMode.class, "mode", request.mode());
        long delay = required("delayNs", request.delayNs());
        if (mode == TimerMode.ONESHOT && request.periodNs() != null) {
            // a field that does not belong to the request's shape, whatever its value
            throw KernelException.of(Errno.EINVAL, DriverTimer.Spec.ONESHOT_HAS_NO_PERIOD);
        }
        long period = request.periodNs() == null ? 0 : request.periodNs();
        var scope = Words.parse(Scope.class, "scope", request.scope(), Scope.DEVICE);
        var action = Words.parse(Action.class, "action", request.action(), Action.NOOP);
        return new DriverTimer.Spec(mode, delay, period, scope, action, timers.target(Optional.ofNullable(request.work())),
                hold(request.holdNs()));
    }

    /** How long each callback takes, 0 when not given; the kernel's type bounds it. */
    static CallbackDelay hold(Long holdNs) {
        return holdNs == null ? CallbackDelay.NONE : new CallbackDelay(holdNs);
    }

    static long required(String field, Long value) {
        if (value == null) {
            throw KernelException.of(Errno.EINVAL, "Field '" + field + "' is required");
        }
        return value;
    }
}
