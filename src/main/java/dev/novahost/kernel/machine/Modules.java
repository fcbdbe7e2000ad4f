package dev.novahost.kernel.machine;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.ModuleEvent;
import dev.novahost.kernel.module.Module;
import dev.novahost.kernel.module.UnloadMode;
import java.util.List;

/**
 * The kernel's modules by name ({@code lsmod}) and the two commands on them, {@code insmod} and
 * {@code rmmod}: the kernel service behind the API's module routes. Each module keeps its own rules
 * (states, references, unload modes); this finds it by name and logs what changed.
 *
 * <p>Thread-safety: immutable (the set of modules is fixed when the kernel is built); any thread may
 * call it. {@link Module} serialises its own load and unload.
 */
public final class Modules {

    private final List<Module> modules;
    private final EventLog log;

    Modules(List<Module> modules, EventLog log) {
        this.modules = List.copyOf(modules);
        this.log = log;
    }

    public List<Module> all() {
        return modules;
    }

    /** {@code ENOENT} (not found) for a module the kernel does not have. */
    public Module get(String name) {
        return modules.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow(
                () -> KernelException.notFound(Errno.ENOENT, "No module named '" + name + "'"));
    }

    /** {@code insmod}: {@code EEXIST} when it is already loaded. */
    public void load(String module) {
        get(module).load();
        log.emit(new ModuleEvent.Loaded(module, get(module).generation()));
    }

    /** {@code rmmod}, in {@code mode}; the module says what each mode does with references held. */
    public void unload(String module, UnloadMode mode) {
        get(module).unload(mode);
        log.emit(new ModuleEvent.Unloaded(module, mode));
    }
}
