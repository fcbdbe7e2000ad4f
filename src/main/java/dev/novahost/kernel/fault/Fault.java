package dev.novahost.kernel.fault;

import java.util.List;
import java.util.Optional;

/**
 * One bug that can be injected into nova-core: a step its {@code remove()} leaves out (or does in the
 * wrong order), as C drivers do. The closed set of faults is defined here once: its wire word is the
 * name the HTTP API, the journal, scenarios and the console use for it, and the adapters loop over
 * {@link #values()}, so a new constant reaches all of them. A wire word is written into journals:
 * renaming one makes old journals replay without that fault, so a word never changes.
 *
 * <p>The console ({@code static/console.js}, {@code FAULTS}) keeps its own copy of the words and
 * descriptions, as its labels: the API's JSON has no room for them. {@code FaultTest} holds the
 * copy equal to this enum.
 */
public enum Fault {
    FORGET_TIMER_CANCEL("forgetTimerCancel", "remove() forgets hrtimer_cancel"),
    FORGET_WORK_CANCEL("forgetWorkCancel", "remove() forgets cancel_work_sync"),
    FORGET_FILE_DISCONNECT("forgetFileDisconnect", "remove() forgets to disconnect open files"),
    FORGET_IRQ_FREE("forgetIrqFree", "remove() forgets free_irq"),
    LEAK_REGION("leakRegion", "remove() forgets pci_release_region"),
    WRONG_CANCEL_ORDER("wrongCancelOrder", "remove() cancels work before the timer that queues it"),
    CANCEL_UNDER_LOCK("cancelUnderLock", "remove() holds &nd->lock across hrtimer_cancel"),
    CANCEL_WORK_FROM_ITSELF("cancelWorkFromItself", "the work function calls cancel_work_sync on itself"),
    FLUSH_OWN_QUEUE("flushOwnQueue", "the work function flushes the workqueue it runs on"),
    FREE_IRQ_UNDER_LOCK("freeIrqUnderLock", "remove() holds &nd->lock across free_irq");

    private static final List<Fault> ALL = List.of(values());

    private final String word;
    private final String description;

    Fault(String word, String description) {
        this.word = word;
        this.description = description;
    }

    /** The name on the wire (JSON field, journal key, scenario flag, log line): {@code forgetTimerCancel}. */
    public String word() {
        return word;
    }

    /** What the bug leaves out, in one line. */
    public String description() {
        return description;
    }

    /** The fault with this wire word, spelt exactly. */
    public static Optional<Fault> ofWord(String word) {
        return ALL.stream().filter(fault -> fault.word.equals(word)).findFirst();
    }

    /** Every wire word, in declaration order. */
    public static List<String> words() {
        return ALL.stream().map(Fault::word).toList();
    }
}
