package dev.novahost.kernel.machine;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.driver.DriverCore;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.HostEvent;
import dev.novahost.kernel.events.HungTaskEvent;
import dev.novahost.kernel.events.KernelEvent;
import dev.novahost.kernel.events.LockdepEvent;
import dev.novahost.kernel.hungtask.HungTaskDetector;
import dev.novahost.kernel.lockdep.CircularDependency;
import dev.novahost.kernel.lockdep.Lockdep;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.kernel.module.Module;
import dev.novahost.kernel.module.ModuleState;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.novacore.BarAccounting;
import dev.novahost.kernel.novacore.DeviceFile;
import dev.novahost.kernel.novacore.DriverObjects;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.DriverWork;
import dev.novahost.kernel.novacore.FaultService;
import dev.novahost.kernel.fault.FaultInjector;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.firmware.FirmwareStore;
import dev.novahost.kernel.novacore.FileService;
import dev.novahost.kernel.novacore.MmioService;
import dev.novahost.kernel.novacore.NovaCore;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.NovaDevice;
import dev.novahost.kernel.novacore.TimerService;
import dev.novahost.kernel.novacore.WorkService;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciBus;
import dev.novahost.kernel.pci.PciDevice;
import dev.novahost.kernel.sanitizer.Sanitizer;
import dev.novahost.kernel.task.Breakpoints;
import dev.novahost.kernel.task.Tasks;
import dev.novahost.kernel.timer.TimerEngine;
import dev.novahost.kernel.work.Workqueue;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One simulated machine: a clock and timer engine, a PCI bus, the driver core, the nova-core module,
 * the kernel log and the sanitizer, wired together. It hands out one service per feature, which the
 * HTTP API uses alone: devices ({@link #devices()}), modules ({@link #moduleService()}), bindings and
 * policies ({@link #driverCore()}), MMIO through the bound driver ({@link #mmio()}), timers
 * ({@link #timers()}), work ({@link #work()}), files ({@link #files()}), faults ({@link #faultService()}),
 * the log and the sanitizer. Its own methods (hot-plug, insmod/rmmod, reset, shutdown) are short
 * sequences of calls on those services, kept for the whole-machine callers: scenarios, replay, tests.
 *
 * <p>Thread-safety: every method may be called from any thread; the mechanisms it calls state their
 * own locking. A kernel never calls out to Spring or HTTP.
 *
 * <p>Over 300 lines on purpose: it is the one place that wires every subsystem into a machine, so it
 * holds one accessor per kernel service and the whole-machine steps; each is a line or two.
 */
public final class Kernel implements AutoCloseable {

    private final TimerEngine engine;
    private final EventLog log;
    private final Sanitizer sanitizer;
    private final PciBus bus;
    private final DriverCore driverCore;
    private final Workqueue systemWq;
    private final NovaCore novaCore;
    private final BarAccounting barAccounting = new BarAccounting();
    private final Devices devices;
    private final Lockdep lockdep;
    private final TimerEngine khungtaskd;
    private final HungTaskDetector hungTasks;
    /** The teardown points a schedule's reproducer holds an unbind at; all let go with every stuck wait. */
    private final Breakpoints breakpoints = new Breakpoints();
    private final Modules modules;
    private final Tasks tasks;
    private final Teardown teardown;

    /** A kernel whose events {@code observers} see from its first one on (metrics, the journal). */
    public Kernel(KernelConfig config, TimerEngine engine, List<Consumer<KernelEvent>> observers) {
        this.engine = engine;
        this.log = new EventLog(engine.clock(), config.eventLogCapacity());
        observers.forEach(log::observe);
        this.sanitizer = new Sanitizer(engine.clock(), log);
        this.bus = new PciBus(engine, config.maxDevices());
        this.lockdep = config.lockdep() ? new Lockdep(this::deadlockPossible) : Lockdep.disabled();
        // khungtaskd is a thread of its own on real time: callbacks stuck on every engine thread (a deadlock on
        // each CPU) must not starve the check that reports them. On virtual time it is the engine, for exactness.
        this.khungtaskd = engine.isVirtual() ? engine : TimerEngine.realTime(engine.clock(), 1, "khungtaskd-");
        this.hungTasks = new HungTaskDetector(khungtaskd, config.hungTask(), this::hungTask);
        this.driverCore = new DriverCore(bus, log, lockdep, breakpoints);
        this.systemWq = new Workqueue("events", engine);
        this.novaCore = new NovaCore(bus, driverCore, engine, systemWq, log, sanitizer, barAccounting, config.objectLimits(),
                lockdep, hungTasks, breakpoints);
        this.devices = new Devices(bus, driverCore, log);
        this.modules = new Modules(List.of(novaCore.module()), log);
        this.tasks = new Tasks(config.taskLimits(), log, hungTasks);
        this.teardown = new Teardown(tasks, driverCore, modules, devices);
        if (config.loadNovaCore()) {
            novaCore.module().load();
        }
    }

    public Kernel(KernelConfig config, TimerEngine engine) {
        this(config, engine, List.of());
    }

    /** A kernel on real time, its timer engine served by {@code config.timerThreads()} threads. */
    public Kernel(KernelConfig config, Clock clock, List<Consumer<KernelEvent>> observers) {
        this(config, TimerEngine.realTime(clock, config.timerThreads()), observers);
    }

    public Kernel(KernelConfig config, Clock clock) {
        this(config, clock, List.of());
    }

    public Clock clock() {
        return engine.clock();
    }

    public TimerEngine engine() {
        return engine;
    }

    public PciBus bus() {
        return bus;
    }

    public DriverCore driverCore() {
        return driverCore;
    }

    public EventLog log() {
        return log;
    }

    public Sanitizer sanitizer() {
        return sanitizer;
    }

    /** The lock validator: every lock and wait of the model, and the cycles found. */
    public Lockdep lockdep() {
        return lockdep;
    }

    /** khungtaskd: the tasks blocked now, and the reports of those blocked too long. */
    public Breakpoints breakpoints() {
        return breakpoints;
    }

    public HungTaskDetector hungTasks() {
        return hungTasks;
    }

    public BarAccounting barAccounting() {
        return barAccounting;
    }

    public DriverObjects novaCoreObjects() {
        return novaCore.objects();
    }

    // --- modules ------------------------------------------------------------------------------------

    /** insmod, rmmod and lsmod: the service the API's module routes use. */
    public Modules moduleService() {
        return modules;
    }

    public List<Module> modules() {
        return modules.all();
    }

    /** {@code ENOENT} (not found) for a module the kernel does not have. */
    public Module module(String name) {
        return modules.get(name);
    }

    public void load(String module) {
        modules.load(module);
    }

    public void unload(String module, UnloadMode mode) {
        modules.unload(module, mode);
    }

    // --- tasks --------------------------------------------------------------------------------------

    /** Operations run on threads of their own, which a caller may stop waiting for: the API's task routes. */
    public Tasks tasks() {
        return tasks;
    }

    /** Unbind, unload and unplug started as tasks: the service behind the routes that answer 202. */
    public Teardown teardown() {
        return teardown;
    }

    // --- devices ------------------------------------------------------------------------------------

    /** Hot-plug, unplug, surprise removal and the devices with their bindings: the API's device routes' service. */
    public Devices devices() {
        return devices;
    }

    /** A device appears on the bus and, like {@code device_add}, is offered to the registered drivers. */
    public PciDevice hotplug(Chipset chipset, Optional<PciAddress> address, int revision) {
        return devices.hotplug(chipset, address, revision);
    }

    /** Orderly hot-unplug: the driver lets go first, then the device leaves the bus. */
    public void hotUnplug(PciAddress address) {
        devices.hotUnplug(address);
    }

    /** The device drops off the bus; its driver stays bound and now reads all ones. */
    public PciDevice surpriseRemove(PciAddress address) {
        return devices.surpriseRemove(address);
    }

    /** nova-core's data for the device; {@code ENODEV} (gone, not unknown) when nova-core is not bound to it. */
    public NovaDevice novaCore(PciAddress address) {
        return novaCore.boundTo(bus.get(address));
    }

    /** Registers through the bound driver: the MMIO service the API and scenarios use. */
    public MmioService mmio() {
        return novaCore.mmio();
    }

    // --- timers, work, files ------------------------------------------------------------------------

    /** nova-core's timers: the service the API's timer routes use. */
    public TimerService timers() {
        return novaCore.timers();
    }

    /** nova-core's work items: the service the API's work routes use. */
    public WorkService work() {
        return novaCore.work();
    }

    /** nova-core's character device: the service the API's file routes use. */
    public FileService files() {
        return novaCore.files();
    }

    public DriverTimer armTimer(PciAddress address, DriverTimer.Spec spec) {
        return novaCore.objects().armTimer(novaCore(address), spec);
    }

    public DriverWork queueWork(PciAddress address, DriverWork.Spec spec) {
        return novaCore.objects().queueWork(novaCore(address), spec);
    }

    public DeviceFile openFile(PciAddress address) {
        return novaCore.objects().openFile(novaCore(address), novaCore.module());
    }

    /** The bugs injected into nova-core: the service the API's faults routes use. */
    /** The firmware files nova-core's probe requests. */
    public FirmwareStore firmware() {
        return novaCore.firmware();
    }

    public FaultService faultService() {
        return novaCore.faults();
    }

    /** Decides, call by call, whether nova-core's injected faults fire; counts the injections. */
    public FaultInjector faultInjector() {
        return novaCore.injector();
    }

    public Faults faults() {
        return novaCore.driver().faults();
    }

    public void setFaults(Faults faults) {
        novaCore.driver().setFaults(faults);
    }

    // --- the whole host -----------------------------------------------------------------------------

    /**
     * Back to a clean host: every timer, work item and file of nova-core's stopped, nova-core unloaded,
     * every device unplugged, policies, faults and firmware files back to their defaults, violations, taints and lockdep's
     * orders forgotten. For test suites and demos that share one service. A deadlock does not outlive it:
     * every wait nova-core is stuck in is broken first ({@code wait.aborted}).
     */
    public void reset() {
        breakpoints.releaseAll();
        novaCore.breakStuckWaits("host reset"); // first: a stuck unbind or unload then finishes
        var objects = novaCore.objects();
        objects.table().files().forEach(file -> quietly(() -> objects.closeFile(file.fd())));
        objects.table().timers().forEach(timer -> quietly(() -> objects.cancelTimer(timer.id())));
        objects.table().works().forEach(work -> quietly(() -> objects.cancelWork(work.id())));
        setFaults(Faults.NONE);
        for (Module module : modules()) {
            if (module.state() == ModuleState.LIVE) {
                unload(module.name(), UnloadMode.DISASSOCIATE);
            }
        }
        for (PciDevice device : bus.devices()) {
            quietly(() -> hotUnplug(device.address()));
        }
        for (String name : driverCore.driverNames()) {
            driverCore.setPolicy(name, Policy.REVOCABLE);
        }
        novaCore.firmware().restoreDefaults();
        sanitizer.clear();
        lockdep.reset(); // with the violations: a cycle forgotten there is reported again when closed again
        clearHungTaskPanic();
        log.emit(new HostEvent.Reset());
    }

    /**
     * The orderly part of a shutdown: every device is unbound through the normal path, so its timers
     * and work are cancelled by remove() rather than cut off mid-flight. Devices, module and policies
     * stay as they are (they are what a restart brings back). Waits nova-core is stuck in are broken first,
     * as in {@link #reset()}.
     */
    public void shutdown() {
        breakpoints.releaseAll();
        novaCore.breakStuckWaits("host shutdown"); // a deadlocked unbind would hold its device's mutex for ever
        for (var binding : driverCore.bindings()) {
            var device = binding.bound().device();
            quietly(() -> driverCore.unbind(binding.driver().name(), device.address()));
        }
        log.emit(new HostEvent.Shutdown());
    }

    /**
     * Lockdep found a cycle: its report becomes a kernel log line and a {@code deadlock_possible} violation
     * whose timeline is that line. A lock order is a property of the driver's code, not of one device, so
     * the violation names the task, no device, and the policy nova-core probes with now. Called under
     * lockdep's graph lock: the log and the sanitizer take only their own leaf locks.
     */
    private void deadlockPossible(CircularDependency cycle) {
        var line = log.emit(new LockdepEvent.CircularDependency(cycle.task(), cycle.isRecursive(), cycle.report()));
        sanitizer.report(ViolationKind.DEADLOCK_POSSIBLE, Outcome.OCCURRED, driverCore.policy(NovaCoreDriver.NAME),
                "", cycle.task(), 0, cycle.report().getFirst() + ": " + cycle.acquiring() + " taken in "
                        + cycle.acquiringAt() + " while holding " + cycle.holding() + " (taken in " + cycle.holdingAt()
                        + ")", List.of(line));
    }

    /**
     * khungtaskd reported a task blocked for longer than the timeout: its report becomes a kernel log line
     * and a {@code hung_task} violation naming the task (the operation or callback, no device: the wait is
     * the driver's, as a lock order is), what it waits for and the holder, whose timeline is that line.
     * The line past the warnings limit is logged alone; the first report under {@code hung_task_panic}
     * is followed by the panic line. Called on a timer engine thread: the log and the sanitizer take only
     * their own leaf locks.
     */
    private void hungTask(HungTaskDetector.Report report) {
        if (report.suppressed()) {
            log.emit(new HungTaskEvent.Suppressed(report.task(), report.lines().getFirst()));
            return;
        }
        var line = log.emit(new HungTaskEvent.Hung(report.task(), report.waitingFor(), report.holder(),
                report.blockedNs(), report.lines()));
        sanitizer.report(ViolationKind.HUNG_TASK, Outcome.OCCURRED, driverCore.policy(NovaCoreDriver.NAME), "",
                report.task(), 0, report.lines().getFirst() + " Waiting for " + report.waitingFor() + ", held by "
                        + report.holder() + ".", List.of(line));
        if (report.panics()) {
            log.emit(new HungTaskEvent.Panic(report.task()));
        }
    }

    /** {@code hung_task_panic}'s mark goes with a reset, and the log says so. */
    private void clearHungTaskPanic() {
        boolean wasPanicked = hungTasks.panicked();
        hungTasks.reset();
        if (wasPanicked) {
            log.emit(new HungTaskEvent.PanicCleared());
        }
    }

    /** Ignores "already gone": in a reset, racing with another caller to the same end is fine. */
    private static void quietly(Runnable step) {
        try {
            step.run();
        } catch (KernelException alreadyGone) {
            // the object went away concurrently: that is the state we want
        }
    }

    @Override
    public void close() {
        breakpoints.releaseAll();
        novaCore.breakStuckWaits("host shutdown"); // no callback thread left parked in a deadlock
        if (khungtaskd != engine) {
            khungtaskd.close();
        }
        engine.close();
    }
}
