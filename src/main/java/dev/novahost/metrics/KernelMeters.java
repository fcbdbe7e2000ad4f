package dev.novahost.metrics;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.FaultInjector;
import dev.novahost.kernel.hungtask.HungTaskDetector;
import dev.novahost.kernel.irq.IrqAccounting;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.Sanitizer;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.module.Module;
import dev.novahost.kernel.module.ModuleState;
import dev.novahost.kernel.novacore.BarAccounting;
import dev.novahost.kernel.pci.DeviceState;
import dev.novahost.kernel.task.TaskState;
import dev.novahost.kernel.work.WorkItem;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The metrics read from the kernel when Prometheus scrapes (devices by state, module loaded and
 * refcount, BAR accesses, violations, interrupts, timers armed, work pending, open files, tasks by state
 * and hung tasks). Nothing is counted twice: these read the kernel's own counters; what is counted from
 * events is {@link EventMeters}'.
 */
public final class KernelMeters implements MeterBinder {

    private final Kernel kernel;

    public KernelMeters(Kernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (DeviceState state : DeviceState.values()) {
            Gauge.builder("nova.devices", kernel, k -> k.bus().devices().stream().filter(d -> d.state() == state).count())
                    .description("Devices on the bus by state")
                    .tag("state", WireWord.of(state))
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
        bindLifecycle(registry);
        bindTasks(registry);
        bindFaultInjections(registry);
        var accounting = kernel.barAccounting();
        for (BarAccounting.Op op : BarAccounting.Op.values()) {
            for (BarAccounting.Result result : BarAccounting.Result.values()) {
                FunctionCounter.builder("nova.bar.accesses", accounting, a -> a.total(op, result))
                        .description("BAR0 accesses through driver handles, by operation and result")
                        .tag("op", WireWord.of(op))
                        .tag("result", WireWord.of(result))
                        .register(registry);
            }
        }
    }

    private void bindLifecycle(MeterRegistry registry) {
        var sanitizer = kernel.sanitizer();
        for (ViolationKind kind : ViolationKind.values()) {
            for (Outcome outcome : Outcome.values()) {
                for (Policy policy : Policy.values()) {
                    FunctionCounter.builder("nova.lifecycle.violations", sanitizer, s -> s.count(kind, outcome, policy))
                            .description("Lifecycle violations the sanitizer saw, by kind, outcome and policy")
                            .tag("kind", kind.wireName())
                            .tag("outcome", WireWord.of(outcome))
                            .tag("policy", WireWord.of(policy))
                            .register(registry);
                }
            }
        }
        FunctionCounter.builder("nova.violations.dropped", sanitizer, Sanitizer::droppedEver)
                .description("Violation reports counted above but not kept, the violation store being full")
                .register(registry);
        for (ViolationKind kind : ViolationKind.values()) {
            if (kind.taints()) {
                Gauge.builder("nova.taints", sanitizer, s -> s.taints().contains(kind) ? 1 : 0)
                        .description("1 while an occurred violation of this kind taints the host (until reset)")
                        .tag("kind", kind.wireName())
                        .register(registry);
            }
        }
        var irqs = kernel.bus().irqAccounting();
        FunctionCounter.builder("nova.irqs", irqs, IrqAccounting::handled)
                .description("Device interrupts, by whether a handler took them").tag("handled", "true").register(registry);
        FunctionCounter.builder("nova.irqs", irqs, IrqAccounting::unhandled)
                .description("Device interrupts, by whether a handler took them").tag("handled", "false").register(registry);
        var objects = kernel.novaCoreObjects().table();
        Gauge.builder("nova.timers.armed", objects, o -> o.timers().stream().filter(DriverTimer::isActive).count())
                .description("nova-core timers armed or running").register(registry);
        Gauge.builder("nova.work.pending", objects, o -> o.works().stream().filter(w -> w.state() == WorkItem.State.PENDING).count())
                .description("nova-core work items queued or delayed").register(registry);
        Gauge.builder("nova.open.files", objects, o -> o.files().size())
                .description("Open nova-core device files").register(registry);
    }

    /**
     * Injections by fault ({@code forgetTimerCancel}, {@code fail_function}, {@code fail_nth}) and the call
     * they hit ({@code hrtimer_cancel}, {@code pci_iomap}): every series the injector can count, from 0.
     */
    private void bindFaultInjections(MeterRegistry registry) {
        var injector = kernel.faultInjector();
        for (FaultInjector.Key key : FaultInjector.keys()) {
            FunctionCounter.builder("nova.fault.injections", injector, i -> i.injected(key))
                    .description("Injected faults, by fault (fail_function: an injection point; fail_nth: a sweep's step) and the call they hit")
                    .tag("fault", key.fault())
                    .tag("point", key.point())
                    .register(registry);
        }
    }

    /** Tasks by state, as {@code ps} shows them, and those khungtaskd would report now. */
    private void bindTasks(MeterRegistry registry) {
        var tasks = kernel.tasks();
        for (TaskState state : TaskState.values()) {
            Gauge.builder("nova.tasks", tasks, t -> t.all().stream().filter(task -> task.status().state() == state).count())
                    .description("Tasks (unbinds, unloads, unplugs) kept, by state: running, D (blocked), done")
                    .tag("state", state.word())
                    .register(registry);
        }
        Gauge.builder("nova.hung.tasks", kernel.hungTasks(), HungTaskDetector::hungNow)
                .description("Tasks blocked for nova.hung-task.timeout or longer now (0 while the detector is off)")
                .register(registry);
    }

}
