package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverWork;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.WorkService;
import dev.novahost.kernel.pci.PciAddress;
import java.net.URI;
import java.util.List;
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
 * Work items nova-core queues for a bound device: immediate, delayed, or self-requeueing. It parses
 * requests and answers with views; the rules are the kernel's ({@link DriverWork.Spec}, {@link WorkService}).
 */
@RestController
@RequestMapping(produces = MediaType.APPLICATION_JSON_VALUE)
class WorkController {

    /**
     * Each re-queue runs at once; a bound keeps a self-requeueing item from owning a live host's worker
     * forever (a scenario's run has its budget instead, so the bound is the API's, not the kernel's).
     */
    static final long MAX_REQUEUE = 100_000;

    private final WorkService work;

    WorkController(WorkService work) {
        this.work = work;
    }

    @PostMapping("/api/v1/devices/{address}/work")
    ResponseEntity<WorkView> queue(@PathVariable String address, @RequestBody WorkRequest request) {
        var device = PciAddress.parse(address);
        long delay = request.delayNs() == null ? 0 : request.delayNs();
        long requeue = request.requeue() == null ? 0 : request.requeue();
        if (requeue > MAX_REQUEUE) {
            throw KernelException.of(Errno.EINVAL, "requeue must be between 0 and " + MAX_REQUEUE + ", was " + requeue);
        }
        var scope = Words.parse(Scope.class, "scope", request.scope(), Scope.DEVICE);
        var action = Words.parse(Action.class, "action", request.action(), Action.NOOP);
        var queued = work.queue(device, new DriverWork.Spec(delay, requeue, scope, action,
                TimerController.hold(request.holdNs())));
        return ResponseEntity.created(URI.create("/api/v1/work/" + queued.id())).body(WorkView.of(queued));
    }

    /** Lets a {@code block} work function blocked now go on; the kernel's rules ({@link WorkService#release}). */
    @PostMapping("/api/v1/devices/{address}/work/{id}/release")
    WorkView release(@PathVariable String address, @PathVariable long id) {
        return WorkView.of(work.release(PciAddress.parse(address), id));
    }

    @GetMapping("/api/v1/devices/{address}/work")
    List<WorkView> ofDevice(@PathVariable String address) {
        return work.of(PciAddress.parse(address)).stream().map(WorkView::of).toList();
    }

    @GetMapping("/api/v1/work")
    List<WorkView> works() {
        return work.all().stream().map(WorkView::of).toList();
    }

    @GetMapping("/api/v1/work/{id}")
    WorkView get(@PathVariable long id) {
        return WorkView.of(work.get(id));
    }

    /** {@code disable_work_sync}: when this returns the work is not pending, not running, and never runs again. */
    @DeleteMapping("/api/v1/work/{id}")
    WorkView cancel(@PathVariable long id) {
        return WorkView.of(work.cancel(id));
    }
}
