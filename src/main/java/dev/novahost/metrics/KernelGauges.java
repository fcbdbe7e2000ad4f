package dev.novahost.metrics;

import dev.novahost.kernel.Kernel;
import dev.novahost.kernel.module.Module;
import dev.novahost.kernel.module.ModuleState;
import dev.novahost.kernel.novacore.BarAccounting;
import dev.novahost.kernel.pci.DeviceState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;

/**
 * The metrics that are state, read from the kernel when Prometheus scrapes: devices by state, module
 * loaded and refcount, BAR accesses by operation and result. Nothing is counted twice: these read
 * the kernel's own counters.
 */
public final class KernelGauges implements MeterBinder {

    private final Kernel kernel;

    public KernelGauges(Kernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (DeviceState state : DeviceState.values()) {
            Gauge.builder("nova.devices", kernel, k -> k.bus().devices().stream().filter(d -> d.state() == state).count())
                    .description("Devices on the bus by state")
                    .tag("state", lower(state))
                    .register(registry);
        }
        for (Module module : kernel.modules()) {
            Gauge.builder("nova.module.loaded", module, m -> m.state() == ModuleState.UNLOADED ? 0 : 1)
                    .description("1 while the module is loaded (live or going)")
                    .tag("module", module.name())
                    .register(registry);
            Gauge.builder("nova.module.refcount", module, Module::refcount)
                    .description("References held on the module (open device files)")
                    .tag("module", module.name())
                    .register(registry);
        }
        var accounting = kernel.barAccounting();
        for (BarAccounting.Op op : BarAccounting.Op.values()) {
            for (BarAccounting.Result result : BarAccounting.Result.values()) {
                FunctionCounter.builder("nova.bar.accesses", accounting, a -> a.total(op, result))
                        .description("BAR0 accesses through driver handles, by operation and result")
                        .tag("op", lower(op))
                        .tag("result", lower(result))
                        .register(registry);
            }
        }
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
