package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.machine.Modules;
import dev.novahost.kernel.machine.Teardown;
import dev.novahost.kernel.module.UnloadMode;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** insmod / rmmod and module state. */
@RestController
@RequestMapping(path = "/api/v1/modules", produces = MediaType.APPLICATION_JSON_VALUE)
class ModuleController {

    private final Modules modules;
    /** rmmod runs as a task, which the request waits for at most {@link #waits}. */
    private final Teardown teardown;
    private final TaskWaits waits;

    ModuleController(Modules modules, Teardown teardown, TaskWaits waits) {
        this.modules = modules;
        this.teardown = teardown;
        this.waits = waits;
    }

    @GetMapping
    List<ModuleView> list() {
        return modules.all().stream().map(ModuleView::of).toList();
    }

    @GetMapping("/{name}")
    ModuleView get(@PathVariable String name) {
        return ModuleView.of(modules.get(name));
    }

    @PostMapping("/{name}/load")
    ModuleView load(@PathVariable String name) {
        modules.load(name);
        return ModuleView.of(modules.get(name));
    }

    /**
     * {@code mode} is {@code pin} (the default, misc-device), {@code disassociate} or {@code force};
     * {@code force=true} is {@code rmmod --force} and means {@code mode=force}. The module, or {@code 202}
     * and the task if the unload is still waiting after {@code wait} ms.
     */
    @PostMapping("/{name}/unload")
    ResponseEntity<?> unload(@PathVariable String name, @RequestParam(required = false) String mode,
                             @RequestParam(required = false) String force, @RequestParam(required = false) String wait) {
        var unloadMode = unloadMode(mode, flag("force", force));
        var waitFor = waits.parse(wait);
        var task = teardown.unload(name, unloadMode);
        return TaskView.answer(task, waitFor, () -> ResponseEntity.ok(ModuleView.of(modules.get(name))));
    }

    /**
     * A boolean query parameter as {@code openapi.yaml} types it: {@code true} or {@code false}, absent
     * meaning false. Spring's own conversion would also take {@code yes}, {@code on} and {@code 1}.
     */
    private static boolean flag(String name, String text) {
        if (text == null || text.equals("false")) {
            return false;
        }
        if (text.equals("true")) {
            return true;
        }
        throw KernelException.of(Errno.EINVAL, "Parameter '" + name + "' is true or false, was '" + text + "'");
    }

    private static UnloadMode unloadMode(String mode, boolean force) {
        if (mode == null) {
            return force ? UnloadMode.FORCE : UnloadMode.PIN;
        }
        var parsed = Words.parse(UnloadMode.class, "unload mode", mode);
        if (force && parsed != UnloadMode.FORCE) {
            throw KernelException.of(Errno.EINVAL, "force=true contradicts mode=" + mode);
        }
        return parsed;
    }
}
