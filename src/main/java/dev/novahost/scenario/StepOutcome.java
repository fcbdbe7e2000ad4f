package dev.novahost.scenario;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
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

    boolean succeeded() {
        return errno == null;
    }
}
