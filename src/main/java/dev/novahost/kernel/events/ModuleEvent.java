package dev.novahost.kernel.events;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.module.UnloadMode;

/** {@code insmod}, {@code rmmod} and the module's own init and exit. */
public sealed interface ModuleEvent extends KernelEvent {

    String module();

    @Override
    default String device() {
        return "";
    }

    record Loaded(String module, int generation) implements ModuleEvent {
        public String type() {
            return "module.loaded";
        }

        public String message() {
            return module + ": loaded, generation " + generation;
        }
    }

    record Unloaded(String module, UnloadMode mode) implements ModuleEvent {
        public String type() {
            return "module.unloaded";
        }

        public String message() {
            return module + ": unloaded (" + WireWord.of(mode) + ")";
        }
    }

    /** {@code module_init} ran in the text just mapped. */
    record Init(String module, ModuleText text) implements ModuleEvent {
        public String type() {
            return "module.init";
        }

        public String message() {
            return module + ": module_init, " + text;
        }
    }

    record Exit(String module) implements ModuleEvent {
        public String type() {
            return "module.exit";
        }

        public String message() {
            return module + ": module_exit";
        }
    }
}
