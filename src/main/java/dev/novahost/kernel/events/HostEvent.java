package dev.novahost.kernel.events;

import dev.novahost.kernel.firmware.FirmwareStore;

/** The whole host: reset to a clean state, or shut down in order; its firmware files changed. */
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

    /**
     * A file of the firmware store installed, replaced or deleted, or the store back to its preinstalled
     * files: for the journal, which makes it durable. Not a log line: the kernel's ring would keep the
     * image (up to 64 KiB) as long as the line.
     */
    record FirmwareChanged(FirmwareStore.Change change) implements HostEvent {
        public String type() {
            return "host.firmware";
        }

        @Override
        public String object() {
            return switch (change) {
                case FirmwareStore.Change.Installed installed -> installed.name();
                case FirmwareStore.Change.Deleted deleted -> deleted.name();
                case FirmwareStore.Change.Defaults _ -> "";
            };
        }

        public String message() {
            return switch (change) {
                case FirmwareStore.Change.Installed installed -> "firmware: " + installed.name() + " installed ("
                        + installed.image().length + " bytes)";
                case FirmwareStore.Change.Deleted deleted -> "firmware: " + deleted.name() + " deleted";
                case FirmwareStore.Change.Defaults _ -> "firmware: back to the preinstalled files";
            };
        }

        @Override
        public boolean logged() {
            return false;
        }
    }
}
