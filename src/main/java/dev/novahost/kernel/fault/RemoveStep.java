package dev.novahost.kernel.fault;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One step of nova-core's {@code remove()} as a user writes it: a kernel call ({@link Kind}) and, for the
 * cancels, optionally the one object it cancels, by id ({@code hrtimer_cancel:3}). A list of them is a
 * teardown of the user's own ({@link Faults#remove()}), run exactly as written. The word is also the
 * step's breakpoint name ({@code remove:hrtimer_cancel:3}) and its event's. The closed set of kinds is
 * defined here once; a word is written into journals: it never changes.
 *
 * @param kind   the call
 * @param target the object a cancel names, by id; empty: every one of the device's
 */
public record RemoveStep(Kind kind, OptionalLong target) {

    /** The kernel calls a written remove() is made of. */
    public enum Kind {
        FREE_IRQ("free_irq", false, "free the PTIMER alarm handler, waiting for a running one"),
        DISCONNECT_FILES("disconnect_files", false, "disconnect every open file of the device"),
        HRTIMER_CANCEL("hrtimer_cancel", true, "cancel the device's timers (fenced: and module-scope ones using it)"),
        CANCEL_WORK_SYNC("cancel_work_sync", true, "cancel the device's work items (fenced: and module-scope ones using it)"),
        PCI_IOUNMAP("pci_iounmap", false, "unmap BAR0 (revocable: revoke its Devres)"),
        PCI_RELEASE_REGION("pci_release_region", false, "release BAR0's region"),
        MUTEX_LOCK("mutex_lock", false, "take &nd->lock"),
        MUTEX_UNLOCK("mutex_unlock", false, "release &nd->lock");

        private static final List<Kind> ALL = List.of(values());

        private final String word;
        private final boolean targeted;
        private final String description;

        Kind(String word, boolean targeted, String description) {
            this.word = word;
            this.targeted = targeted;
            this.description = description;
        }

        public String word() {
            return word;
        }

        /** Whether a step of this kind may name one object ({@code :<id>}). */
        public boolean targeted() {
            return targeted;
        }

        public String description() {
            return description;
        }

        public static Optional<Kind> ofWord(String word) {
            return ALL.stream().filter(kind -> kind.word.equals(word)).findFirst();
        }

        public static List<String> words() {
            return ALL.stream().map(Kind::word).toList();
        }
    }

    /** A step as written before its target is known as an id: a scenario names the object by its alias. */
    public record Written(Kind kind, Optional<String> target) {

        /** The step, with {@code id} for the target. */
        public RemoveStep with(OptionalLong id) {
            return new RemoveStep(kind, id);
        }

        /** The step, its target read as an object id; {@code EINVAL} when it is not a number. */
        public RemoveStep byId() {
            if (target.isEmpty()) {
                return of(kind);
            }
            try {
                return of(kind, Long.parseLong(target.get()));
            } catch (NumberFormatException notAnId) {
                throw KernelException.of(Errno.EINVAL, "'" + kind.word() + ":" + target.get() + "': the target of "
                        + kind.word() + " is the id of a " + (kind == Kind.HRTIMER_CANCEL ? "timer" : "work item")
                        + ", a number");
            }
        }
    }

    public RemoveStep {
        if (target.isPresent() && !kind.targeted()) {
            throw KernelException.of(Errno.EINVAL, kind.word() + " takes no target; only hrtimer_cancel and"
                    + " cancel_work_sync name one object (hrtimer_cancel:3)");
        }
        if (target.isPresent() && target.getAsLong() < 1) {
            throw KernelException.of(Errno.EINVAL, kind.word() + ": an object id is 1 or more, was " + target.getAsLong());
        }
    }

    /** Every object of its kind. */
    public static RemoveStep of(Kind kind) {
        return new RemoveStep(kind, OptionalLong.empty());
    }

    /** One object, by id. */
    public static RemoveStep of(Kind kind, long id) {
        return new RemoveStep(kind, OptionalLong.of(id));
    }

    /** The step {@code word} says ({@code hrtimer_cancel}, {@code hrtimer_cancel:3}); {@code EINVAL} if none. */
    public static RemoveStep parse(String word) {
        return split(word).byId();
    }

    /**
     * The kind and the target text of {@code word}, checked as far as they can be without the objects:
     * {@code EINVAL} for an unknown kind, a target on a kind that takes none, or an empty target.
     */
    public static Written split(String word) {
        int colon = word.indexOf(':');
        String name = colon < 0 ? word : word.substring(0, colon);
        var kind = Kind.ofWord(name).orElseThrow(() -> KernelException.of(Errno.EINVAL, "'" + word
                + "' is not a remove() step; the steps are " + Kind.words()
                + " (hrtimer_cancel and cancel_work_sync may name one object: hrtimer_cancel:3)"));
        if (colon < 0) {
            return new Written(kind, Optional.empty());
        }
        String target = word.substring(colon + 1);
        if (!kind.targeted()) {
            throw KernelException.of(Errno.EINVAL, "'" + word + "': " + kind.word() + " takes no target;"
                    + " only hrtimer_cancel and cancel_work_sync name one object");
        }
        if (target.isEmpty()) {
            throw KernelException.of(Errno.EINVAL, "'" + word + "': the target after ':' is empty");
        }
        return new Written(kind, Optional.of(target));
    }

    /** The most steps an order may have: a teardown, not a program. */
    public static final int MAX_STEPS = 64;

    /**
     * A whole order, checked as a sequence: at most {@link #MAX_STEPS}, {@code mutex_unlock} only while
     * the lock is held, and no second {@code mutex_lock} while it is ({@code &nd->lock} is not recursive).
     */
    public static List<RemoveStep> checked(List<RemoveStep> steps) {
        if (steps.size() > MAX_STEPS) {
            throw KernelException.of(Errno.EINVAL, "a remove order has at most " + MAX_STEPS + " steps, was " + steps.size());
        }
        boolean held = false;
        for (int i = 0; i < steps.size(); i++) {
            var kind = steps.get(i).kind();
            if (kind == Kind.MUTEX_LOCK && held) {
                throw KernelException.of(Errno.EINVAL, "remove step " + i + ": mutex_lock while &nd->lock is"
                        + " already held; it is not recursive");
            }
            if (kind == Kind.MUTEX_UNLOCK && !held) {
                throw KernelException.of(Errno.EINVAL, "remove step " + i + ": mutex_unlock without a mutex_lock before it");
            }
            held = kind == Kind.MUTEX_LOCK || (held && kind != Kind.MUTEX_UNLOCK);
        }
        return List.copyOf(steps);
    }

    /** The words of {@code steps}, in order. */
    public static List<String> words(List<RemoveStep> steps) {
        return steps.stream().map(RemoveStep::word).toList();
    }

    /** {@code hrtimer_cancel} or {@code hrtimer_cancel:3}: what {@link #parse} reads back. */
    public String word() {
        return target.isPresent() ? kind.word() + ":" + target.getAsLong() : kind.word();
    }

    @Override
    public String toString() {
        return word();
    }
}
