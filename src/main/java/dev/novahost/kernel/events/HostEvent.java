package dev.novahost.kernel.events;

/** The whole host: reset to a clean state, or shut down in order. */
public sealed interface HostEvent extends KernelEvent {

    @Override
    default String device() {
        return "";
    }

    record Reset() implements HostEvent {
        public String type() {
            return "host.reset";
        }

        public String message() {
            return "host reset to a clean state";
        }
    }

    record Shutdown() implements HostEvent {
        public String type() {
            return "host.shutdown";
        }

        public String message() {
            return "shutdown: every device unbound";
        }
    }
}
