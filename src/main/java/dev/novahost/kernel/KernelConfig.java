package dev.novahost.kernel;

/**
 * How a kernel is built.
 *
 * @param maxDevices     devices the bus accepts before {@code ENOSPC}
 * @param loadNovaCore   whether nova-core is loaded at boot (otherwise it waits for {@code insmod})
 */
public record KernelConfig(int maxDevices, boolean loadNovaCore) {

    public static final KernelConfig DEFAULTS = new KernelConfig(256, false);

    public KernelConfig {
        if (maxDevices < 1) {
            throw new IllegalArgumentException("maxDevices must be at least 1, was " + maxDevices);
        }
    }
}
