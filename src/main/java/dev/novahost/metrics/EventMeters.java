package dev.novahost.metrics;

import dev.novahost.kernel.events.DevresEvent;
import dev.novahost.kernel.events.DeviceEvent;
import dev.novahost.kernel.events.DriverEvent;
import dev.novahost.kernel.events.KernelEvent;
import dev.novahost.kernel.events.TimerEvent;
import dev.novahost.kernel.events.WorkEvent;
import dev.novahost.kernel.pci.PciDevice;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The metrics that count events: bindings by result, unbind and revoke-wait durations, timer callbacks
 * and work functions entered, and the
 * per-device {@code nova_device_info} series, which is registered when a device appears and removed
 * with it so that no stale series outlives a device.
 *
 * <p>Thread-safety: called from any kernel thread; Micrometer meters are thread-safe and the info
 * series table is a concurrent map keyed by device identity.
 */
public final class EventMeters implements Consumer<KernelEvent> {

    private final MeterRegistry registry;
    private final Timer unbindDuration;
    private final Timer revokeWait;
    private final Counter expirations;
    private final Counter executions;
    private final Map<PciDevice, Gauge> deviceInfo = new ConcurrentHashMap<>();

    public EventMeters(MeterRegistry registry) {
        this.registry = registry;
        // Unbinds take microseconds to seconds and revokes usually microseconds: the default buckets
        // start at 1 ms and would put every revoke in the first one.
        this.unbindDuration = Timer.builder("nova.unbind.duration")
                .description("Time from the start of unbind to the end of devres release")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        this.revokeWait = Timer.builder("nova.revoke.wait")
                .description("Time revoke() waited for BAR accesses already in flight")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        this.expirations = Counter.builder("nova.timer.expirations")
                .description("Timer callbacks entered").register(registry);
        this.executions = Counter.builder("nova.work.executions")
                .description("Work functions entered").register(registry);
        bindings("bound"); // present from the start, so dashboards show 0 rather than no data
    }

    @Override
    public void accept(KernelEvent event) {
        switch (event) {
            case TimerEvent.Fired _ -> expirations.increment();
            case WorkEvent.Running _ -> executions.increment();
            case DeviceEvent.Added added -> deviceAdded(added.pci());
            case DeviceEvent.Removed removed -> deviceRemoved(removed.pci());
            case DriverEvent.Bound _ -> bindings("bound").increment();
            case DriverEvent.ProbeFailed failed -> bindings(failed.errno().name()).increment();
            case DriverEvent.Unbound unbound -> unbindDuration.record(unbound.nanos(), TimeUnit.NANOSECONDS);
            case DevresEvent.Revoked revoked -> revokeWait.record(revoked.waitedNs(), TimeUnit.NANOSECONDS);
            default -> { }
        }
    }

    private void deviceAdded(PciDevice device) {
        deviceInfo.computeIfAbsent(device, d -> Gauge.builder("nova.device.info", () -> 1)
                .description("Identity of each device on the bus; the value is always 1")
                .tag("address", d.address().toString())
                .tag("chipset", d.chipset().name())
                .tag("architecture", d.chipset().architecture().displayName())
                .register(registry));
    }

    private void deviceRemoved(PciDevice device) {
        var gauge = deviceInfo.remove(device);
        if (gauge != null) {
            registry.remove(gauge);
        }
    }

    private Counter bindings(String result) {
        return Counter.builder("nova.bindings")
                .description("Probe attempts by result: bound, or the errno probe failed with")
                .tag("result", result)
                .register(registry);
    }
}
