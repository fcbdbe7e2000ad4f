package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;

/**
 * How many timers, work items and open files one device may have at once (both scopes counted);
 * past a limit the call fails with {@code ENOSPC} and nothing changes.
 */
public record ObjectLimits(int timersPerDevice, int worksPerDevice, int filesPerDevice) {

    public static final ObjectLimits DEFAULTS = new ObjectLimits(10_000, 10_000, 1_024);

    public ObjectLimits {
        if (timersPerDevice < 1 || worksPerDevice < 1 || filesPerDevice < 1) {
            throw new IllegalArgumentException("object limits must be at least 1");
        }
    }

    static void check(String what, int count, int limit, String device) {
        if (count >= limit) {
            throw KernelException.of(Errno.ENOSPC, device + " already has " + count + " " + what
                    + ", its configured limit");
        }
    }
}
