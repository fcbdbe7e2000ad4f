package dev.novahost.kernel;

/** How the framework protects a driver's device resources (DESIGN.md §4); takes effect at the next probe. */
public enum Policy {
    /** Rust {@code Devres}: resources are revoked at unbind, every access is checked. */
    REVOCABLE,
    /** C with a correct {@code remove()}: everything is shot down first, the hot path is unchecked. */
    FENCED,
    /**
     * SRCU-style revocable (the kernel's {@code drivers/base/revocable.c}): as {@code revocable}, and a
     * callback runs its whole body in one read-side section, in which it may sleep and its accesses need no
     * check; revocation ({@code synchronize_srcu}) waits for every reader, so unbind waits for the slowest.
     */
    SRCU;

    /**
     * Whether the framework owns the driver data and revokes the device resources at unbind, so that a
     * late access is refused and the data's drop cancels what remove() forgot: revocable and srcu.
     */
    public boolean revokesAtUnbind() {
        return switch (this) {
            case REVOCABLE, SRCU -> true;
            case FENCED -> false;
        };
    }
}
