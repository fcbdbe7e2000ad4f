package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Kernel;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.CallbackDelay;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
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

/** Timers nova-core arms on a bound device (hrtimers with a driver callback). */
@RestController
@RequestMapping(produces = MediaType.APPLICATION_JSON_VALUE)
class TimerController {

    /** An hour: longer delays are almost surely unit mistakes. */
    static final long MAX_DELAY_NS = 3_600_000_000_000L;

    private final Kernel kernel;

    TimerController(Kernel kernel) {
        this.kernel = kernel;
    }

    @PostMapping("/api/v1/devices/{address}/timers")
    ResponseEntity<TimerView> arm(@PathVariable String address, @RequestBody TimerRequest request) {
        var device = PciAddress.parse(address);
        var spec = spec(device, request);
        var timer = kernel.armTimer(device, spec);
        return ResponseEntity.created(URI.create("/api/v1/timers/" + timer.id())).body(TimerView.of(timer));
    }

    @GetMapping("/api/v1/devices/{address}/timers")
    List<TimerView> ofDevice(@PathVariable String address) {
        String device = kernel.bus().get(PciAddress.parse(address)).address().toString();
        return timers().stream().filter(t -> t.device().equals(device)).toList();
    }

    @GetMapping("/api/v1/timers")
    List<TimerView> timers() {
        return kernel.novaCoreDriver().objects().timers().stream().map(TimerView::of).toList();
    }

    @GetMapping("/api/v1/timers/{id}")
    TimerView get(@PathVariable long id) {
        return TimerView.of(kernel.novaCoreDriver().objects().timer(id));
    }

    /** {@code hrtimer_cancel} + shutdown: when this returns the callback is not running and never will. */
    @DeleteMapping("/api/v1/timers/{id}")
    TimerView cancel(@PathVariable long id) {
        var timer = kernel.novaCoreDriver().objects().timer(id);
        kernel.novaCoreDriver().cancelTimer(id);
        return TimerView.of(timer);
    }

    private DriverTimer.Spec spec(PciAddress device, TimerRequest request) {
        var mode = Words.parse(TimerMode.class, "mode", request.mode());
        long delay = within("delayNs", required("delayNs", request.delayNs()), 0, MAX_DELAY_NS);
        long period = 0;
        if (mode == TimerMode.PERIODIC) {
            // the minimum is the kernel's own rule (DriverTimer.Spec)
            period = within("periodNs", required("periodNs", request.periodNs()), 0, MAX_DELAY_NS);
        } else if (request.periodNs() != null) {
            throw KernelException.of(Errno.EINVAL, "periodNs is for periodic timers; a oneshot timer has none");
        }
        var scope = Words.parse(Scope.class, "scope", request.scope(), Scope.DEVICE);
        var action = Words.parse(Action.class, "action", request.action(), Action.NOOP);
        return new DriverTimer.Spec(mode, delay, period, scope, action, target(device, action, request.work()),
                hold(request.holdNs()));
    }

    /** The work item a {@code queue-work} timer queues: required for that action, refused for the others. */
    private Optional<dev.novahost.kernel.novacore.DriverWork> target(PciAddress device, Action action, Long workId) {
        if (action != Action.QUEUE_WORK) {
            if (workId != null) {
                throw KernelException.of(Errno.EINVAL, "work is only for the queue-work action");
            }
            return Optional.empty();
        }
        if (workId == null) {
            throw KernelException.of(Errno.EINVAL, "A queue-work timer needs 'work': the id of a work item to queue");
        }
        var work = kernel.novaCoreDriver().objects().works().stream().filter(w -> w.id() == workId).findFirst()
                .orElseThrow(() -> KernelException.of(Errno.EINVAL, "There is no work item " + workId));
        if (!work.owner().address().equals(device.toString())) {
            throw KernelException.of(Errno.EINVAL, "work " + workId + " belongs to " + work.owner().address()
                    + ", not to " + device);
        }
        return Optional.of(work);
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

    static long within(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw KernelException.of(Errno.EINVAL, field + " must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }
}
