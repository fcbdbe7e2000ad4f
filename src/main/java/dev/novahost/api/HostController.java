package dev.novahost.api;

import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.sanitizer.ViolationKind;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The simulated machine as a whole. */
@RestController
@RequestMapping(path = "/api/v1/host", produces = MediaType.APPLICATION_JSON_VALUE)
class HostController {

    /**
     * The whole machine, the one controller that holds it: a reset reaches every service at once
     * (DESIGN.md §10), and the summary reads the clock, bus, bindings, modules and taints together.
     */
    private final Kernel kernel;

    HostController(Kernel kernel) {
        this.kernel = kernel;
    }

    /** Back to a clean host in one call (DESIGN.md §10). */
    @PostMapping("/reset")
    HostView reset() {
        kernel.reset();
        return host();
    }

    @GetMapping
    HostView host() {
        var taints = kernel.sanitizer().taints().stream().map(ViolationKind::wireName).toList();
        return new HostView(kernel.clock().nanoTime(), kernel.engine().isVirtual() ? "virtual" : "real", taints,
                kernel.bus().size(),
                kernel.driverCore().bindings().size(), kernel.modules().stream().map(ModuleView::of).toList(),
                kernel.hungTasks().panicked());
    }
}
