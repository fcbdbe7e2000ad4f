package dev.novahost.api;

import dev.novahost.kernel.module.Module;
import java.util.Locale;

record ModuleView(String name, String state, int refcount, int generation) {

    static ModuleView of(Module module) {
        return new ModuleView(module.name(), module.state().name().toLowerCase(Locale.ROOT), module.refcount(),
                module.generation());
    }
}
