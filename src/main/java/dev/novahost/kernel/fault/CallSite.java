package dev.novahost.kernel.fault;

import java.util.List;
import java.util.Optional;

/**
 * Where in the driver a fault's or injection point's call is made: Linux's {@code require-start} /
 * {@code require-end} (a fault only fails calls made from inside a range of code) narrowed to the model's
 * call sites. A {@link FaultAttr} naming a site makes a call from any other site not eligible. Every call
 * site passes its own: probe's fallible steps and {@code leakRegion} are {@link #PROBE}; remove()'s cancels,
 * disconnects and frees {@link #REMOVE}; the module's exit cancels {@link #MODULE_EXIT}; the work
 * function's waits for itself {@link #CALLBACK}. A word is written into journals: it never changes.
 */
public enum CallSite {
    PROBE("probe"),
    REMOVE("remove"),
    MODULE_EXIT("module_exit"),
    CALLBACK("callback");

    private static final List<CallSite> ALL = List.of(values());

    private final String word;

    CallSite(String word) {
        this.word = word;
    }

    /** The name on the wire: {@code module_exit}. */
    public String word() {
        return word;
    }

    public static Optional<CallSite> ofWord(String word) {
        return ALL.stream().filter(site -> site.word.equals(word)).findFirst();
    }

    /** Every wire word, in declaration order. */
    public static List<String> words() {
        return ALL.stream().map(CallSite::word).toList();
    }
}
