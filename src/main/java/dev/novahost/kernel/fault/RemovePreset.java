package dev.novahost.kernel.fault;

import static dev.novahost.kernel.fault.RemoveStep.Kind.CANCEL_WORK_SYNC;
import static dev.novahost.kernel.fault.RemoveStep.Kind.DISCONNECT_FILES;
import static dev.novahost.kernel.fault.RemoveStep.Kind.FREE_IRQ;
import static dev.novahost.kernel.fault.RemoveStep.Kind.HRTIMER_CANCEL;
import static dev.novahost.kernel.fault.RemoveStep.Kind.MUTEX_LOCK;
import static dev.novahost.kernel.fault.RemoveStep.Kind.MUTEX_UNLOCK;

import dev.novahost.kernel.Policy;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A named {@code remove()} order: {@code default}, today's correct teardown, and one per remove-side
 * boolean {@link Fault}, the order that fault stands for (its word is the preset's name). Each is
 * written for {@code fenced}, where the C driver's remove() frees the IRQ and disconnects the files
 * itself; under {@code revocable} the same without {@code disconnect_files} (the BAR's revocation
 * refuses a file's ops there, remove() does not disconnect them), and {@code freeIrqUnderLock} is
 * {@code default} there (a revocable remove() takes no lock around {@code free_irq}). A word is written
 * into journals: it never changes.
 */
public enum RemovePreset {
    DEFAULT("default", List.of(FREE_IRQ, DISCONNECT_FILES, HRTIMER_CANCEL, CANCEL_WORK_SYNC)),
    FORGET_TIMER_CANCEL(Fault.FORGET_TIMER_CANCEL, List.of(FREE_IRQ, DISCONNECT_FILES, CANCEL_WORK_SYNC)),
    FORGET_WORK_CANCEL(Fault.FORGET_WORK_CANCEL, List.of(FREE_IRQ, DISCONNECT_FILES, HRTIMER_CANCEL)),
    FORGET_FILE_DISCONNECT(Fault.FORGET_FILE_DISCONNECT, List.of(FREE_IRQ, HRTIMER_CANCEL, CANCEL_WORK_SYNC)),
    FORGET_IRQ_FREE(Fault.FORGET_IRQ_FREE, List.of(DISCONNECT_FILES, HRTIMER_CANCEL, CANCEL_WORK_SYNC)),
    WRONG_CANCEL_ORDER(Fault.WRONG_CANCEL_ORDER, List.of(FREE_IRQ, DISCONNECT_FILES, CANCEL_WORK_SYNC, HRTIMER_CANCEL)),
    CANCEL_UNDER_LOCK(Fault.CANCEL_UNDER_LOCK,
            List.of(FREE_IRQ, DISCONNECT_FILES, MUTEX_LOCK, HRTIMER_CANCEL, MUTEX_UNLOCK, CANCEL_WORK_SYNC)),
    FREE_IRQ_UNDER_LOCK(Fault.FREE_IRQ_UNDER_LOCK,
            List.of(MUTEX_LOCK, FREE_IRQ, MUTEX_UNLOCK, DISCONNECT_FILES, HRTIMER_CANCEL, CANCEL_WORK_SYNC));

    private static final List<RemovePreset> ALL = List.of(values());

    private final String word;
    private final Optional<Fault> fault;
    private final List<RemoveStep> fenced;

    RemovePreset(String word, List<RemoveStep.Kind> fenced) {
        this(word, Optional.empty(), fenced);
    }

    RemovePreset(Fault fault, List<RemoveStep.Kind> fenced) {
        this(fault.word(), Optional.of(fault), fenced);
    }

    RemovePreset(String word, Optional<Fault> fault, List<RemoveStep.Kind> fenced) {
        this.word = word;
        this.fault = fault;
        this.fenced = fenced.stream().map(RemoveStep::of).toList();
    }

    /** Its name: {@code default} or the fault's word. */
    public String word() {
        return word;
    }

    /** The boolean fault it stands for; empty for {@code default}. */
    public Optional<Fault> fault() {
        return fault;
    }

    /** Its steps under {@code policy}. */
    public List<RemoveStep> steps(Policy policy) {
        if (policy == Policy.FENCED) {
            return fenced;
        }
        var revocable = this == FREE_IRQ_UNDER_LOCK ? DEFAULT.fenced : fenced;
        return revocable.stream().filter(step -> step.kind() != DISCONNECT_FILES).toList();
    }

    public static Optional<RemovePreset> ofWord(String word) {
        return ALL.stream().filter(preset -> preset.word.equals(word)).findFirst();
    }

    public static List<String> words() {
        return Arrays.stream(values()).map(RemovePreset::word).toList();
    }
}
