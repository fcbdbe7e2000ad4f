package dev.novahost.kernel.events;

import dev.novahost.kernel.module.ModuleText;

/** An open device file: opened with a module reference, disconnected, closed. */
public sealed interface FileEvent extends KernelEvent {

    String file();

    /** What happened to it, the log line after its name. */
    String what();

    @Override
    default String object() {
        return file();
    }

    @Override
    default String message() {
        return file() + ": " + what();
    }

    record Opened(String device, String file, ModuleText text) implements FileEvent {
        public String type() {
            return "file.opened";
        }

        public String what() {
            return "opened, module reference taken on " + text;
        }
    }

    /** Its ops no longer reach the driver, for the reason given (remove(), or the module's unload). */
    record Disconnected(String device, String file, String why) implements FileEvent {
        public String type() {
            return "file.disconnected";
        }

        public String what() {
            return why;
        }
    }

    record Closed(String device, String file) implements FileEvent {
        public String type() {
            return "file.closed";
        }

        public String what() {
            return "closed, module reference dropped";
        }
    }
}
