package dev.novahost.kernel.events;

import dev.novahost.kernel.Errno;
import java.util.Optional;

/** A task (an operation run on a thread of its own, that its caller may stop waiting for) ended. */
public sealed interface TaskEvent extends KernelEvent {

    @Override
    default String device() {
        return "";
    }

    /**
     * The task's operation returned: {@code errno} empty for success. Like QEMU's {@code DEVICE_DELETED},
     * it tells a client that stopped waiting what became of its request.
     */
    record Done(long id, String name, Optional<Errno> errno, String detail) implements TaskEvent {
        public String type() {
            return "task.done";
        }

        @Override
        public String object() {
            return "task " + id;
        }

        public String message() {
            return "task " + id + " (" + name + "): " + errno.map(e -> "failed with " + e + ": " + detail).orElse("done");
        }
    }
}
