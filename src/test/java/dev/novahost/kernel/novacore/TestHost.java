package dev.novahost.kernel.novacore;

import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.Faults;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.Violation;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A simulated machine for one test: a kernel on real time with nova-core loaded, GPUs hot-plugged into
 * it, and the words the lifecycle tests use to drive it (bind, unbind on another CPU) and to read what
 * its sanitizer saw. Registered as an extension ({@code @RegisterExtension}), it is closed after each
 * test: that stops the kernel's timer threads and the test's own.
 */
public final class TestHost implements AfterEachCallback, AutoCloseable {

    public static final String NOVA_CORE = NovaCoreDriver.NAME;
    /** Long enough for any callback the kernel owes us; every wait is bounded by it. */
    public static final Duration PATIENCE = Duration.ofSeconds(5);

    /** What the sanitizer said, without the details: a kind and whether it was prevented or occurred. */
    public record Seen(ViolationKind kind, Outcome outcome) {

        public static Seen occurred(ViolationKind kind) {
            return new Seen(kind, Outcome.OCCURRED);
        }

        public static Seen prevented(ViolationKind kind) {
            return new Seen(kind, Outcome.PREVENTED);
        }

        @Override
        public String toString() {
            return kind.wireName() + " " + outcome.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kernel kernel;
    private final ExecutorService cpus = Executors.newCachedThreadPool(r -> {
        var thread = new Thread(r, "test-host-cpu");
        thread.setDaemon(true);
        return thread;
    });

    /** The stress tests open and arm far more than a person would; the per-device limits are not what they test. */
    private static final ObjectLimits STRESS_LIMITS = new ObjectLimits(1_000_000, 1_000_000, 1_000_000);

    private TestHost(KernelConfig config) {
        this.kernel = new Kernel(config, Clock.system());
    }

    /** nova-core loaded, timers served by the default two timer threads. */
    public static TestHost boot() {
        return new TestHost(new KernelConfig(16, true, KernelConfig.DEFAULTS.timerThreads(),
                KernelConfig.DEFAULTS.eventLogCapacity(), STRESS_LIMITS));
    }

    /**
     * nova-core loaded, timers and work served by this many threads. With one, callbacks run one at a
     * time in deadline order, so a test can keep the timer CPU busy and know what waits behind it.
     */
    public static TestHost bootWithTimerCpus(int cpus) {
        return new TestHost(new KernelConfig(16, true, cpus, KernelConfig.DEFAULTS.eventLogCapacity(), STRESS_LIMITS));
    }

    /** Awaitility, polling often (callbacks here take microseconds) and giving up after {@link #PATIENCE}. */
    public static ConditionFactory eventually() {
        return await().atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1));
    }

    public Kernel kernel() {
        return kernel;
    }

    /** A GA102 appears on the bus; nova-core, if loaded, autoprobes it. */
    public PciAddress plugGpu() {
        return kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
    }

    public void usePolicy(Policy policy) {
        kernel.driverCore().setPolicy(NOVA_CORE, policy);
    }

    /** A GA102 plugged in with nova-core under {@code policy}, which its probe and unbind follow. */
    public PciAddress plugGpu(Policy policy) {
        usePolicy(policy);
        return plugGpu();
    }

    public void inject(Faults faults) {
        kernel.setFaults(faults);
    }

    public void bind(PciAddress gpu) {
        kernel.driverCore().bind(NOVA_CORE, gpu);
    }

    public void unbind(PciAddress gpu) {
        kernel.driverCore().unbind(NOVA_CORE, gpu);
    }

    /** Starts an unbind on another CPU; the future completes when unbind has returned. */
    public CompletableFuture<Void> unbindElsewhere(PciAddress gpu) {
        return elsewhere(() -> unbind(gpu));
    }

    public CompletableFuture<Void> elsewhere(Runnable step) {
        return CompletableFuture.runAsync(step, cpus);
    }

    public boolean isBound(PciAddress gpu) {
        return kernel.driverCore().binding(kernel.bus().get(gpu)).isPresent();
    }

    /**
     * Through the driver, sets the PTIMER alarm {@code delay} past the device's current TIME_0 and
     * enables its interrupt: the device will raise its IRQ then, whoever handles it by that time.
     */
    public void raiseAlarmIn(PciAddress gpu, Duration delay) {
        int now = kernel.mmio().read(gpu, Bar0.NV_PTIMER_TIME_0);
        kernel.mmio().write(gpu, Bar0.NV_PTIMER_ALARM_0, now + (int) delay.toNanos());
        kernel.mmio().write(gpu, Bar0.NV_PTIMER_INTR_EN_0, 1);
    }

    // --- what the sanitizer saw ---------------------------------------------------------------------

    public Set<Seen> seen() {
        return kernel.sanitizer().violations().stream().map(v -> new Seen(v.kind(), v.outcome()))
                .collect(Collectors.toSet());
    }

    /** Waits until the sanitizer has seen each of these (and maybe more). */
    public void awaitSeen(Seen... expected) {
        eventually().until(() -> seen().containsAll(Arrays.asList(expected)));
    }

    /** Every report ever made with the given outcome, of every kind and policy (never rate-limited). */
    public long reports(Outcome outcome) {
        long total = 0;
        for (ViolationKind kind : ViolationKind.values()) {
            for (Policy policy : Policy.values()) {
                total += kernel.sanitizer().count(kind, outcome, policy);
            }
        }
        return total;
    }

    /**
     * Each violation's timeline tells its story from the beginning: it opens with the creation of the
     * object it is about ({@code timer.created}, {@code file.opened}...), or with the device's probe for
     * what belongs to the device itself (its region, its MMIO attribute).
     */
    public void assertTimelinesStartAtCreation() {
        for (Violation v : kernel.sanitizer().violations()) {
            assertThat(v.timeline()).as("timeline of %s at %s", v.kind(), v.object()).isNotEmpty();
            var first = v.timeline().getFirst();
            assertThat(first.type()).as("first event of the %s timeline of %s: %s", v.kind(), v.object(), v.timeline())
                    .isEqualTo(creationOf(v.object()).orElse("driver.probe"));
            assertThat(first.device()).isEqualTo(v.device());
        }
    }

    /** The event that creates an object of this name; the device's own objects (region, mmio) have none. */
    private static Optional<String> creationOf(String object) {
        var kind = object.substring(0, object.indexOf(' '));
        return Optional.ofNullable(switch (kind) {
            case "timer" -> "timer.created";
            case "work" -> "work.created";
            case "file" -> "file.opened";
            case "irq" -> "irq.requested";
            default -> null;
        });
    }

    // --- the kernel log -----------------------------------------------------------------------------

    /** Whether the kernel log has an event of this type about this object ({@code ""} for the device itself). */
    public boolean logged(PciAddress gpu, String object, String type) {
        return kernel.log().since(0, Integer.MAX_VALUE).stream().anyMatch(e -> e.device().equals(gpu.toString())
                && e.object().equals(object) && e.type().equals(type));
    }

    public void awaitLogged(PciAddress gpu, String object, String type) {
        eventually().until(() -> logged(gpu, object, type));
    }

    // --- errors -------------------------------------------------------------------------------------

    /** The errno the call failed with; fails the test if it did not fail with a kernel error. */
    public static Errno errnoOf(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("the call fails with a kernel error").isInstanceOf(KernelException.class);
        return ((KernelException) thrown).errno();
    }

    // --- injected driver bugs -----------------------------------------------------------------------

    public static Faults forgetTimerCancel() {
        return Faults.of(Fault.FORGET_TIMER_CANCEL);
    }

    public static Faults forgetWorkCancel() {
        return Faults.of(Fault.FORGET_WORK_CANCEL);
    }

    public static Faults forgetFileDisconnect() {
        return Faults.of(Fault.FORGET_FILE_DISCONNECT);
    }

    public static Faults forgetIrqFree() {
        return Faults.of(Fault.FORGET_IRQ_FREE);
    }

    public static Faults leakRegion() {
        return Faults.of(Fault.LEAK_REGION);
    }

    public static Faults wrongCancelOrder() {
        return Faults.of(Fault.WRONG_CANCEL_ORDER);
    }

    public static Faults probeFailure(Errno errno) {
        return new Faults(Set.of(), Optional.of(errno));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        cpus.shutdownNow();
        kernel.close();
    }
}
