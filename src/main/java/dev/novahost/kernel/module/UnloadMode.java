package dev.novahost.kernel.module;

/** The three answers to "unload while files are open" (DESIGN.md §3). */
public enum UnloadMode {
    /** Misc-device scheme: open files pin the module; unload fails with {@code EWOULDBLOCK}. */
    PIN,
    /** Networking / RDMA scheme: disconnect every open file first, then unload. */
    DISASSOCIATE,
    /** {@code MODULE_FORCE_UNLOAD}: unload anyway, leaving open files pointing into freed text. */
    FORCE
}
