package dev.novahost.kernel.events;

/** The devres list let go of a resource: released at unbind, or revoked under the accesses in flight. */
public sealed interface DevresEvent extends KernelEvent {

    /**
     * An entry was added to a device's devres list during probe: written only while the driver core's
     * devres log is on ({@code devres.log=1} with {@code CONFIG_DEBUG_DEVRES}), as a sweep turns it on to
     * judge the unwind against the acquisitions.
     */
    record Added(String device, String resource) implements DevresEvent {
        public String type() {
            return "devres.added";
        }

        public String message() {
            return device + ": devres add: " + resource;
        }
    }

    /** One entry of the devres list was released, at unbind or after a failed probe. */
    record Released(String device, String resource) implements DevresEvent {
        public String type() {
            return "devres.released";
        }

        public String message() {
            return device + ": devres release: " + resource;
        }
    }

    /**
     * A {@code Devres} was revoked after waiting {@code waitedNs} for the accesses already in flight (a
     * metric; the log line leaves it out, so that it is the same on every run).
     */
    record Revoked(String device, String resource, long waitedNs) implements DevresEvent {
        public String type() {
            return "devres.revoked";
        }

        public String message() {
            return device + ": " + resource + " revoked once the accesses in flight had ended";
        }
    }
}
