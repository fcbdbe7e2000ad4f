package dev.novahost.kernel.novacore;

import dev.novahost.kernel.WireWord;

/** What a timer or work callback does when it runs. */
public enum Action {
    /** Read the 64-bit PTIMER through the BAR (high, low, high). */
    READ_PTIMER,
    /** Read one register ({@code NV_PMC_BOOT_0}) through the BAR. */
    TOUCH_BAR,
    /** Queue a given work item: the timer → work chain. */
    QUEUE_WORK,
    /** Touch nothing. */
    NOOP,
    /**
     * Take the device's {@code &nd->lock} for the run (after {@code holdNs}, in flight without it), then release
     * it: the callback that deadlocks against a remove() holding it ({@code cancelUnderLock}).
     */
    LOCK,
    /**
     * Block until released ({@code POST .../release}) or the host resets: a callback stuck on something
     * outside the driver. (Blocking for a given time is {@code holdNs}.)
     */
    BLOCK;

    /** {@code read-ptimer}, {@code touch-bar}, {@code queue-work}, {@code noop}, {@code lock}, {@code block}. */
    public String wireName() {
        return WireWord.of(this);
    }

    public boolean touchesBar() {
        return this == READ_PTIMER || this == TOUCH_BAR;
    }
}
