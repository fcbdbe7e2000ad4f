package dev.novahost.kernel.novacore;

/**
 * Who owns a timer or work item: the device's driver data (stopped when the device is unbound) or the
 * module (lives until module exit, like a {@code KBox} in the module struct).
 */
public enum Scope {
    DEVICE, MODULE
}
