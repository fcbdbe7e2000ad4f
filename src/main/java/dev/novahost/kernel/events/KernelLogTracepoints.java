package dev.novahost.kernel.events;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Tracepoints;
import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.pci.PciDevice;
import java.util.Locale;
import java.util.Optional;

/**
 * The driver core's steps as kernel log lines: probe results, devres releases, unbind. (A BAR's
 * revocation is logged by the driver that mapped it, into its device's history: see NovaCoreDriver.)
 * Durations stay out of the log (they are metrics): on virtual time the log must be the same on every run.
 */
public final class KernelLogTracepoints implements Tracepoints {

    private final EventLog log;

    public KernelLogTracepoints(EventLog log) {
        this.log = log;
    }

    @Override
    public void probeFinished(PciDevice device, String driver, Optional<Errno> errno) {
        errno.ifPresent(e -> log.append(device.address().toString(), "", "driver.probe-failed",
                driver + " " + device.address() + ": probe failed with " + e + ", devres unwound"));
    }

    @Override
    public void devresReleased(PciDevice device, String resource) {
        log.append(device.address().toString(), "", "devres.released",
                device.address() + ": devres release: " + resource);
    }

    @Override
    public void unbindFinished(PciDevice device, String driver, long nanos) {
        log.append(device.address().toString(), "", "driver.unbound", driver + " " + device.address() + ": unbound");
    }

    @Override
    public void policyChanged(String driver, Policy policy) {
        log.append("", "", "driver.policy", driver + ": policy " + policy.name().toLowerCase(Locale.ROOT)
                + " from the next probe");
    }
}
