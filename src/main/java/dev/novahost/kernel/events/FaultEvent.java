package dev.novahost.kernel.events;

import dev.novahost.kernel.Errno;
import java.util.Optional;

/** Fault injection at work: an injected bug fired, or an injection point failed ({@code verbose} 1 and up). */
public sealed interface FaultEvent extends KernelEvent {

    /**
     * {@code name} (a fault's or an injection point's word) fired at {@code where} on {@code device}, the
     * {@code count}-th time since boot; an injection point's call failed with {@code errno}.
     */
    record Injected(String device, String name, String where, Optional<Errno> errno, long count) implements FaultEvent {
        public String type() {
            return "fault.injected";
        }

        @Override
        public String object() {
            return where;
        }

        public String message() {
            return "FAULT_INJECTION: forcing a failure: " + name + " at " + where
                    + errno.map(e -> " (-" + e + ")").orElse("") + ", injection " + count;
        }
    }
}
