package dev.novahost.api;

import dev.novahost.kernel.lockdep.Lockdep;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The lock validator as {@code /proc/lockdep} and {@code /proc/lockdep_chains} show it: the classes, the
 * orders seen and the cycles found, each with its report in the kernel's words and how often it came
 * again. Not paged: the graph is bounded by the classes, which the model's code names (a handful), not
 * by requests; the cycles by the distinct cycles over those classes.
 */
@RestController
@RequestMapping(path = "/api/v1/lockdep", produces = MediaType.APPLICATION_JSON_VALUE)
class LockdepController {

    private final Lockdep lockdep;

    LockdepController(Lockdep lockdep) {
        this.lockdep = lockdep;
    }

    @GetMapping
    LockdepView get() {
        return LockdepView.of(lockdep);
    }
}
