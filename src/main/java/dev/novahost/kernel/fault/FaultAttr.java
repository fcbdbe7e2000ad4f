package dev.novahost.kernel.fault;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.Optional;

/**
 * When an eligible call of one fault or injection point fails: Linux's {@code struct fault_attr}
 * (Documentation/fault-injection/fault-injection.rst), with the same words and the same order of
 * decisions ({@link FaultInjector}): the call-site and device filters first (Linux's {@code require-start/end}
 * and {@code task-filter}: a call from another site or on another device is not eligible and counts
 * nowhere), then {@code times}, {@code space}, {@code interval},
 * {@code probability}.
 *
 * @param probability percent of eligible calls that fail, 0..100
 * @param interval    only every {@code interval}-th eligible call may fail (1: each)
 * @param times       at most this many failures, -1 for no limit
 * @param space       the first {@code space} eligible calls pass
 * @param verbose     0 silent, 1 a kernel log line per injection, 2 the line and the object's timeline
 * @param device      only calls on this device (a PCI address) are eligible; empty for every device
 * @param site        only calls from this call site are eligible; empty for every site
 */
public record FaultAttr(int probability, long interval, long times, long space, int verbose, Optional<String> device,
                        Optional<CallSite> site) {

    /** What {@code true} means, as before attributes existed: every eligible call fails, no limit, one line each. */
    public static final FaultAttr ALWAYS = new FaultAttr(100, 1, -1, 0, 1, Optional.empty());

    public FaultAttr {
        within("probability", probability, 0, 100);
        within("interval", interval, 1, Long.MAX_VALUE);
        within("times", times, -1, Long.MAX_VALUE);
        within("space", space, 0, Long.MAX_VALUE);
        within("verbose", verbose, 0, 2);
        if (device.isPresent() && device.get().isBlank()) {
            throw KernelException.of(Errno.EINVAL, "device filter is empty; leave it out for every device");
        }
    }

    /** Attributes for calls from every site. */
    public FaultAttr(int probability, long interval, long times, long space, int verbose, Optional<String> device) {
        this(probability, interval, times, space, verbose, device, Optional.empty());
    }

    /** The same, only for calls from {@code site}. */
    public FaultAttr at(CallSite site) {
        return new FaultAttr(probability, interval, times, space, verbose, device, Optional.of(site));
    }

    /**
     * Whether a call from {@code site} on {@code device} is eligible at all (the filters, before any count);
     * {@code site} null: a call from no named site, eligible only when no site is filtered for.
     */
    public boolean eligible(String device, CallSite site) {
        return this.device.map(device::equals).orElse(true) && this.site.map(s -> s == site).orElse(true);
    }

    private static void within(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw KernelException.of(Errno.EINVAL, field + " must be between " + min + " and "
                    + (max == Long.MAX_VALUE ? "2^63-1" : Long.toString(max)) + ", was " + value);
        }
    }
}
