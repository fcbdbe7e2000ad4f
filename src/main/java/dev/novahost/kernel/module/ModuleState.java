package dev.novahost.kernel.module;

/** {@code MODULE_STATE_LIVE}, {@code MODULE_STATE_GOING}, or not loaded at all. */
public enum ModuleState {
    LIVE, GOING, UNLOADED
}
