package dev.novahost.kernel;

/** How the framework protects a driver's device resources (DESIGN.md §4); takes effect at the next probe. */
public enum Policy {
    /** Rust {@code Devres}: resources are revoked at unbind, every access is checked. */
    REVOCABLE,
    /** C with a correct {@code remove()}: everything is shot down first, the hot path is unchecked. */
    FENCED
}
