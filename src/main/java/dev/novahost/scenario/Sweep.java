package dev.novahost.scenario;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.events.DevresEvent;
import dev.novahost.kernel.events.DriverEvent;
import dev.novahost.kernel.events.FaultEvent;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.fault.InjectionPoint;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciDevice;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sweep: an operation walked with {@code fail-nth}, one fallible step failed per run, as Linux's
 * fault-injection users walk one ({@code Documentation/fault-injection}, "fail-nth"). For n = 1, 2, ... a
 * fresh kernel on virtual time installs the driver under the policy and plugs the device ({@link Operation}:
 * then binds it, or plugs it first and then loads the driver, which probes it) with the n-th fallible call
 * failing; the walk ends at the first n where no call failed (the device bound: every step has been failed
 * once). It picks up every injection point probe has, whatever they
 * are, since fail-nth counts calls, not names.
 *
 * <p>Each failed step is judged by five named checks, in the kernel's own terms:
 * <ul>
 *   <li>{@code errno}: the bind returned the errno the failed call was made to fail with (insmod: its
 *       probe-failed line has it);</li>
 *   <li>{@code devres-reverse}: the devres list released exactly what probe had added before the failure, last
 *       added first (from the log's {@code devres.added} and {@code devres.released} lines: the sweep's
 *       kernels run with the devres log on);</li>
 *   <li>{@code no-leak}: no {@code devres_leak} occurred, BAR0's region is free and the device is disabled;</li>
 *   <li>{@code unbound}: the device was left without a driver;</li>
 *   <li>{@code rebind}: the next bind, with nothing injected, succeeds.</li>
 * </ul>
 * A step with a failed check carries its timeline: the log lines from its bind on.
 *
 * <p>Bounded as a scenario request: a {@link BudgetMeter} counts the events of all its kernels and its wall
 * time, and a walk has at most {@link #MAX_STEPS} steps.
 *
 * <p>Thread-safety: a sweep keeps no state between calls; each step has its own kernel, on the caller's thread.
 */
public final class Sweep {

    /** Far more fallible calls than any probe makes: a walk that has not ended by then never will. */
    static final int MAX_STEPS = 64;

    /** A step's kernel log: a bind writes a few dozen lines, so this holds every step whole. */
    private static final int LOG_CAPACITY = 4096;

    /**
     * The operation a sweep walks: {@code bind} (sysfs bind of the plugged GPU), or {@code load} (insmod
     * with the GPU already plugged, which probes it). insmod succeeds even when the probe it makes fails, as
     * {@code driver_register} does: for {@code load} the errno must reach the probe-failed line instead.
     */
    public enum Operation {
        BIND,
        LOAD
    }

    /** What a sweep installs in each fresh kernel: a driver, under a policy. */
    public interface Target {

        /** The driver's name, as {@code bind} takes it. */
        String driver();

        /** Installs the driver under {@code policy} ({@code insmod}, {@code driver_register}): it probes what it matches. */
        void install(Kernel kernel, Policy policy);
    }

    /** nova-core: its module loaded. */
    public static final Target NOVA_CORE = new Target() {
        @Override
        public String driver() {
            return NovaCoreDriver.NAME;
        }

        @Override
        public void install(Kernel kernel, Policy policy) {
            kernel.driverCore().setPolicy(NovaCoreDriver.NAME, policy);
            kernel.load(NovaCoreDriver.NAME);
        }
    };

    /** One named check of a step and what it saw. */
    public record Check(String name, boolean passed, String detail) {
    }

    /**
     * Step {@code n}: the call that failed ({@code point}, with {@code errno}), or, on the last step, none
     * (null) and the bind that went through; its checks, and its timeline when one of them failed.
     */
    public record StepVerdict(int n, String point, String errno, boolean passed, List<Check> checks,
                              List<String> timeline) {
    }

    /** The walk under one policy: every step, the last being the bind that went through. */
    public record Walk(boolean passed, int failedSteps, List<StepVerdict> steps) {
    }

    /** A sweep's answer: the walk under each policy, by its word. */
    public record Result(String operation, String driver, String chipset, boolean passed, Map<String, Walk> walks) {
    }

    private Sweep() {
    }

    /** Walks the bind of {@code target} under each policy, in the order given, within {@code meter}'s budget. */
    static Result run(Operation operation, Target target, Chipset chipset, List<Policy> policies, BudgetMeter meter) {
        if (!chipset.supported()) { // every step would end in ENODEV at identify, and no walk would tell anything
            throw KernelException.of(Errno.EINVAL, "nova-core does not support " + chipset.name()
                    + "; a sweep needs a chip it binds (Turing and later)");
        }
        var walks = new LinkedHashMap<String, Walk>();
        for (Policy policy : policies.stream().distinct().toList()) {
            walks.put(WireWord.of(policy), walk(new Walked(operation, target, chipset, policy), meter));
        }
        boolean passed = walks.values().stream().allMatch(Walk::passed);
        return new Result(WireWord.of(operation), target.driver(), chipset.name(), passed, walks);
    }

    /** What one walk does, step after step. */
    private record Walked(Operation operation, Target target, Chipset chipset, Policy policy) {

        /** Brings a fresh kernel to just before the operation: the GPU plugged, unbound; for a bind, the driver installed. */
        PciDevice prepare(Kernel kernel) {
            if (operation == Operation.BIND) {
                target.install(kernel, policy);
            }
            var device = kernel.hotplug(chipset, Optional.empty(), 0xa1); // probed as it is plugged, if installed
            if (kernel.driverCore().binding(device).isPresent()) { // a chip the driver does not take stays unbound
                kernel.driverCore().unbind(target.driver(), device.address());
            }
            return device;
        }

        /** The operation; the errno that reached its caller (for insmod: the probe-failed line), if it failed. */
        Optional<Errno> perform(Kernel kernel, PciDevice device) {
            if (operation == Operation.BIND) {
                return bind(kernel, target, device).map(KernelException::errno);
            }
            long from = kernel.log().lastSeq();
            target.install(kernel, policy);
            return kernel.log().since(from, Integer.MAX_VALUE).stream().map(LogEntry::event)
                    .filter(DriverEvent.ProbeFailed.class::isInstance).map(DriverEvent.ProbeFailed.class::cast)
                    .filter(failed -> failed.pci() == device).map(DriverEvent.ProbeFailed::errno).findFirst();
        }
    }

    private static Walk walk(Walked walked, BudgetMeter meter) {
        var steps = new ArrayList<StepVerdict>();
        for (int n = 1; n <= MAX_STEPS; n++) {
            meter.atStep(n);
            var step = step(walked, n, meter);
            steps.add(step.verdict());
            if (step.last()) {
                return walk(steps);
            }
        }
        steps.add(new StepVerdict(MAX_STEPS + 1, null, null, false, List.of(new Check("walk-ends", false,
                "the operation still made a fallible call after " + MAX_STEPS + " failed ones")), List.of()));
        return walk(steps);
    }

    private static Walk walk(List<StepVerdict> steps) {
        return new Walk(steps.stream().allMatch(StepVerdict::passed), steps.size() - 1, List.copyOf(steps));
    }

    private record Stepped(StepVerdict verdict, boolean last) {
    }

    /** One run: a fresh kernel, the operation with its n-th fallible call failing, and the checks. */
    private static Stepped step(Walked walked, int n, BudgetMeter meter) {
        var clock = new VirtualClock();
        var engine = TimerEngine.virtual(clock);
        try (var kernel = new Kernel(new KernelConfig(256, false, 1, Math.min(LOG_CAPACITY, meter.maxEvents())),
                engine)) {
            meter.watch(kernel.log(), engine, clock);
            kernel.driverCore().setDevresLog(true);
            var device = walked.prepare(kernel);
            long from = kernel.log().lastSeq();
            Optional<Errno> error;
            Optional<InjectionPoint> failed;
            try (var nth = kernel.faultInjector().failNth(n)) {
                error = walked.perform(kernel, device);
                failed = nth.failed();
            }
            if (failed.isEmpty()) {
                boolean bound = error.isEmpty() && kernel.driverCore().binding(device).isPresent();
                var check = new Check("bound", bound, bound ? "no call left to fail: the device is bound"
                        : "nothing was injected, yet the device is unbound"
                                + error.map(e -> ": probe failed with -" + e).orElse(""));
                return new Stepped(verdict(n, null, null, List.of(check), kernel, from), true);
            }
            var point = failed.get();
            var log = kernel.log().since(from, Integer.MAX_VALUE);
            var injected = injectedErrno(log).orElse(point.defaultErrno());
            var checks = List.of(errno(walked.operation(), error, point, injected), devresReverse(log, device),
                    noLeak(kernel, device), unbound(kernel, device), rebind(kernel, walked.target(), device));
            return new Stepped(verdict(n, point.word(), injected.name(), checks, kernel, from), false);
        }
    }

    private static Optional<KernelException> bind(Kernel kernel, Target target, PciDevice device) {
        try {
            kernel.driverCore().bind(target.driver(), device.address());
            return Optional.empty();
        } catch (KernelException failed) {
            return Optional.of(failed);
        }
    }

    private static StepVerdict verdict(int n, String point, String errno, List<Check> checks, Kernel kernel,
                                       long from) {
        boolean passed = checks.stream().allMatch(Check::passed);
        List<String> timeline = passed ? List.of() : kernel.log().since(from, Integer.MAX_VALUE).stream()
                .map(e -> "[" + e.seq() + "] " + e.message()).toList();
        return new StepVerdict(n, point, errno, passed, checks, timeline);
    }

    private static Optional<Errno> injectedErrno(List<LogEntry> log) {
        return log.stream().map(LogEntry::event).filter(FaultEvent.Injected.class::isInstance)
                .map(FaultEvent.Injected.class::cast).findFirst().flatMap(FaultEvent.Injected::errno);
    }

    private static Check errno(Operation operation, Optional<Errno> error, InjectionPoint point, Errno injected) {
        String returned = error.map(e -> "-" + e).orElse(operation == Operation.BIND ? "success" : "no probe failure");
        return new Check("errno", error.filter(e -> e == injected).isPresent(),
                (operation == Operation.BIND ? "bind returned " : "the probe insmod made failed with ") + returned
                        + "; " + point.word() + " failed with -" + injected);
    }

    /** What probe added before the failure, released last added first and nothing else. */
    private static Check devresReverse(List<LogEntry> log, PciDevice device) {
        String address = device.address().toString();
        var added = new ArrayList<String>();
        var released = new ArrayList<String>();
        for (LogEntry entry : log) {
            switch (entry.event()) {
                case DevresEvent.Added a when a.device().equals(address) -> added.add(a.resource());
                case DevresEvent.Released r when r.device().equals(address) -> released.add(r.resource());
                default -> { }
            }
        }
        var expected = added.reversed();
        return new Check("devres-reverse", released.equals(expected),
                "added " + added + "; released " + released
                        + (released.equals(expected) ? "" : ", expected " + expected));
    }

    private static Check noLeak(Kernel kernel, PciDevice device) {
        var leaks = kernel.sanitizer().violations().stream()
                .filter(v -> v.kind() == ViolationKind.DEVRES_LEAK && v.outcome() == Outcome.OCCURRED).count();
        var left = new ArrayList<String>();
        if (leaks > 0) {
            left.add(leaks + " devres_leak");
        }
        if (device.isRegionHeld()) {
            left.add("BAR0 region still claimed");
        }
        if (device.isEnabled()) {
            left.add("device still enabled");
        }
        return new Check("no-leak", left.isEmpty(), left.isEmpty() ? "region free, device disabled, no devres_leak"
                : String.join(", ", left));
    }

    private static Check unbound(Kernel kernel, PciDevice device) {
        var binding = kernel.driverCore().binding(device);
        return new Check("unbound", binding.isEmpty(),
                binding.map(b -> "still bound to " + b.driver().name()).orElse("no driver"));
    }

    private static Check rebind(Kernel kernel, Target target, PciDevice device) {
        var error = bind(kernel, target, device);
        return new Check("rebind", error.isEmpty(),
                error.map(e -> "the next bind failed with -" + e.errno() + ": " + e.getMessage())
                        .orElse("the next bind succeeded"));
    }
}
