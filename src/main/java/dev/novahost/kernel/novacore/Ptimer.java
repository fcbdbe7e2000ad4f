package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.pci.Bar0;

/**
 * nova-core's timer subdevice: reads the GPU's 64-bit nanosecond PTIMER through the driver's BAR
 * handle. The counter is two 32-bit registers, so a consistent value is read high, low, high again,
 * retrying when the high word moved in between (the low word wrapped).
 */
public final class Ptimer {

    /** One wrap of the low word takes 4.3 s; a dozen moves in a row means the clock is broken, not busy. */
    static final int MAX_RETRIES = 16;

    private final BarHandle bar;

    Ptimer(BarHandle bar) {
        this.bar = bar;
    }

    /** The device time in nanoseconds, through the driver's BAR handle. */
    public long readTime() {
        return readTime(bar);
    }

    /** The device time in nanoseconds, through whatever reaches the registers. */
    static long readTime(RegisterReader bar) {
        for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
            int high = bar.read32(Bar0.NV_PTIMER_TIME_1);
            int low = bar.read32(Bar0.NV_PTIMER_TIME_0);
            if (bar.read32(Bar0.NV_PTIMER_TIME_1) == high) {
                return ((long) high << 32) | Integer.toUnsignedLong(low);
            }
        }
        throw KernelException.of(Errno.ETIMEDOUT,
                "PTIMER high word changed on " + MAX_RETRIES + " consecutive reads");
    }
}
