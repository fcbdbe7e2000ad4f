package dev.novahost.scenario;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.List;
import java.util.function.Supplier;

/** How a step ended: the value it returned, or the errno it failed with (its value is then the kernel's message). */
record StepOutcome(String value, Errno errno) {

    /** Runs the step's action; a kernel error is its outcome, anything else is thrown. */
    static StepOutcome attempt(Supplier<String> action) {
        try {
            return new StepOutcome(action.get(), null);
        } catch (KernelException failed) {
            return new StepOutcome(failed.getMessage(), failed.errno());
        }
    }

    /** A teardown's outcome that says where it was held on the way, before its own value (a failure's stays the kernel's). */
    StepOutcome heldAt(List<String> points) {
        if (!succeeded()) {
            return this;
        }
        String where = "held at " + String.join(", then at ", points);
        return new StepOutcome(value == null ? where : where + "; " + value, null);
    }

    boolean succeeded() {
        return errno == null;
    }
}
