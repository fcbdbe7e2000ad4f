package dev.novahost.api;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.timer.HrTimer;

/** A timer as the API shows it; {@code work} is the queued work item's id for {@code queue-work}, else null. */
record TimerView(long id, String device, String scope, String mode, String action, long delayNs, Long periodNs,
                 Long work, long holdNs, String state, long expirations, int generation) {

    static TimerView of(DriverTimer timer) {
        var spec = timer.spec();
        boolean periodic = spec.mode() == dev.novahost.kernel.novacore.TimerMode.PERIODIC;
        return new TimerView(timer.id(), timer.owner().address(), WireWord.of(spec.scope()), WireWord.of(spec.mode()),
                spec.action().wireName(), spec.delayNs(), periodic ? spec.periodNs() : null,
                spec.target().map(w -> w.id()).orElse(null), spec.hold().ns(), state(timer.state()), timer.expirations(),
                timer.text().generation());
    }

    /** The kernel's words: armed, running, expired, cancelled (an idle hrtimer has expired or never fired). */
    private static String state(HrTimer.State state) {
        return state == HrTimer.State.INACTIVE ? "expired" : WireWord.of(state);
    }

}
