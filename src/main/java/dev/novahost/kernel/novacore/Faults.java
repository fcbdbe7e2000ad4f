package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import java.util.Optional;

/**
 * Bugs injected into nova-core, each a step its {@code remove()} (or probe) leaves out, as C drivers do.
 * They take effect the next time that code runs.
 *
 * @param forgetTimerCancel    remove() does not cancel the device's timers
 * @param forgetWorkCancel     remove() does not cancel the device's work
 * @param forgetFileDisconnect remove() does not disconnect open files (fenced policy)
 * @param forgetIrqFree        remove() does not free the interrupt handler
 * @param leakRegion           remove() does not release the BAR0 region
 * @param wrongCancelOrder     remove() cancels work before the timer that queues it
 * @param probeFailure         probe fails with this errno after acquiring its resources
 */
public record Faults(boolean forgetTimerCancel, boolean forgetWorkCancel, boolean forgetFileDisconnect,
                     boolean forgetIrqFree, boolean leakRegion, boolean wrongCancelOrder,
                     Optional<Errno> probeFailure) {

    public static final Faults NONE = new Faults(false, false, false, false, false, false, Optional.empty());

    /** The faults that are on, as a log line says them: {@code forgetTimerCancel, probeFailure=EIO}, or {@code none}. */
    public String describe() {
        var on = new java.util.ArrayList<String>();
        if (forgetTimerCancel) {
            on.add("forgetTimerCancel");
        }
        if (forgetWorkCancel) {
            on.add("forgetWorkCancel");
        }
        if (forgetFileDisconnect) {
            on.add("forgetFileDisconnect");
        }
        if (forgetIrqFree) {
            on.add("forgetIrqFree");
        }
        if (leakRegion) {
            on.add("leakRegion");
        }
        if (wrongCancelOrder) {
            on.add("wrongCancelOrder");
        }
        probeFailure.ifPresent(errno -> on.add("probeFailure=" + errno));
        return on.isEmpty() ? "none" : String.join(", ", on);
    }
}
