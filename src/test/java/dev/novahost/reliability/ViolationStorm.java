package dev.novahost.reliability;

import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.NovaDevice;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TestHost;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.Optional;

/**
 * The adversarial review's loop (issue 13, item 6), driven on the kernel directly and on virtual time
 * so that it runs as fast as the kernel can: under {@code fenced} with {@code forgetTimerCancel}, arm a
 * timer, unbind (ODEBUG: {@code timer_free_active}), let it fire into the freed data
 * ({@code timer_after_remove}), bind again. Each round opens two new violation groups (a new timer each time).
 */
public final class ViolationStorm implements AutoCloseable {

    /** Violation reports each round makes. */
    public static final int REPORTS_PER_ROUND = 2;
    /** The most rounds {@link #warmUp()} runs. */
    public static final int WARM_UP_LIMIT = 10_000;
    private static final long DELAY_NS = 1_000;
    private static final DriverTimer.Spec TIMER = new DriverTimer.Spec(TimerMode.ONESHOT, DELAY_NS, 0, Scope.DEVICE,
            Action.TOUCH_BAR, Optional.empty());

    private final KernelConfig config = new KernelConfig(4, true);
    private final VirtualClock clock = new VirtualClock();
    private final TimerEngine engine = TimerEngine.virtual(clock);
    private final Kernel kernel;
    private final PciAddress gpu;

    public ViolationStorm() {
        kernel = new Kernel(config, engine);
        kernel.driverCore().setPolicy(NovaCoreDriver.NAME, Policy.FENCED);
        kernel.setFaults(TestHost.forgetTimerCancel());
        gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
    }

    public Kernel kernel() {
        return kernel;
    }

    /** Bind (but the first time: hot-plug probed it), arm, unbind, fire, {@code rounds} times. */
    public void rounds(int rounds) {
        for (int i = 0; i < rounds; i++) {
            round();
        }
    }

    /** One round; returns the driver instance it unbound, whose memory the kernel has freed. */
    public NovaDevice round() {
        if (kernel.driverCore().binding(kernel.bus().get(gpu)).isEmpty()) {
            kernel.driverCore().bind(NovaCoreDriver.NAME, gpu);
        }
        var freed = kernel.novaCore(gpu);
        kernel.armTimer(gpu, TIMER);
        kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu);
        engine.advanceTo(clock.nanoTime() + DELAY_NS);
        return freed;
    }

    /**
     * Rounds until what the storm fills once is full: the sanitizer's store (it has begun to drop), then the
     * kernel log's ring turned over once more, so that the ring no longer shares its lines with the kept
     * groups' timelines (about 1,100 rounds). Past this, a storm that keeps nothing more keeps the heap flat.
     * A store that never fills (an unbounded one) ends it at {@link #WARM_UP_LIMIT} rounds. Returns the
     * rounds it took.
     */
    public int warmUp() {
        int rounds = 0;
        while (kernel.sanitizer().dropped() == 0 && rounds < WARM_UP_LIMIT) {
            round();
            rounds++;
        }
        long storeFull = kernel.log().lastSeq();
        while (kernel.log().lastSeq() <= storeFull + config.eventLogCapacity() && rounds < WARM_UP_LIMIT) {
            round();
            rounds++;
        }
        return rounds;
    }

    @Override
    public void close() {
        kernel.close();
    }
}
