package dev.novahost.api;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.module.Module;

record ModuleView(String name, String state, int refcount, int generation) {

    static ModuleView of(Module module) {
        return new ModuleView(module.name(), WireWord.of(module.state()), module.refcount(),
                module.generation());
    }
}
