package dev.novahost.kernel.pci;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.irq.IrqAccounting;
import dev.novahost.kernel.irq.IrqLine;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One virtual NVIDIA GPU on the bus: its config-space identity, its BAR0 registers, whether it is
 * enabled and who holds its memory region. Which driver is bound is the driver core's business, not
 * the device's.
 *
 * <p>Thread-safety: identity is immutable; state, enable count and region owner are atomic. The
 * {@link #lock() device lock} ({@code device_lock}) serialises bind, unbind and removal of this device.
 */
public final class PciDevice {

    private final PciAddress address;
    private final Chipset chipset;
    private final int revision;
    private final Bar0 bar0;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger enableCount = new AtomicInteger();
    private final AtomicReference<String> regionOwner = new AtomicReference<>();
    private final IrqLine irq;
    private final TimerEngine engine;
    /** The PTIMER alarm, scheduled on the engine for the moment TIME_0 passes ALARM_0. */
    private final TimerEngine.Entry alarm = new TimerEngine.Entry() {
        @Override
        protected void expire() {
            if (!bar0.isLinkDown() && bar0.alarmPending()) {
                irq.raise();
            }
        }
    };
    private volatile DeviceState state = DeviceState.PRESENT;

    PciDevice(PciAddress address, Chipset chipset, int revision, TimerEngine engine, IrqAccounting irqAccounting) {
        this.address = address;
        this.chipset = chipset;
        this.revision = revision;
        this.engine = engine;
        this.bar0 = new Bar0(chipset, revision, engine.clock());
        this.irq = new IrqLine(address.toString(), irqAccounting);
        bar0.onAlarmChanged(this::scheduleAlarm);
    }

    /**
     * The alarm interrupt is an edge: scheduled for the next time TIME_0 passes ALARM_0 while enabled,
     * not while the previous one is still pending (unacknowledged) or the interrupt is disabled.
     */
    private void scheduleAlarm() {
        long deadline = bar0.alarmDeadline();
        if (deadline == Long.MAX_VALUE || bar0.alarmPending()) {
            engine.cancel(alarm);
        } else {
            engine.schedule(alarm, deadline);
        }
    }

    /** The device's interrupt line (its MSI, in effect). */
    public IrqLine irq() {
        return irq;
    }

    /** Off the bus for good: no more interrupts. */
    void detach() {
        engine.cancel(alarm);
    }

    public PciAddress address() {
        return address;
    }

    public Chipset chipset() {
        return chipset;
    }

    public int vendorId() {
        return Chipset.VENDOR_NVIDIA;
    }

    public int deviceId() {
        return chipset.deviceId();
    }

    public int classCode() {
        return chipset.classCode();
    }

    public int revision() {
        return revision;
    }

    public DeviceState state() {
        return state;
    }

    /** The registers themselves, as the device sees them; drivers reach them only through a mapping. */
    public Bar0 bar0() {
        return bar0;
    }

    public ReentrantLock lock() {
        return lock;
    }

    /** The device drops off the bus: its link goes down but the kernel still holds the object. */
    void surpriseRemove() {
        state = DeviceState.REMOVED;
        bar0.linkDown();
    }

    /** {@code pci_enable_device}: counted, as in the kernel. */
    public void enable() {
        enableCount.incrementAndGet();
    }

    public void disable() {
        enableCount.updateAndGet(n -> Math.max(0, n - 1));
    }

    public boolean isEnabled() {
        return enableCount.get() > 0;
    }

    /** {@code pci_request_region}: {@code EBUSY} while someone else holds BAR0's region. */
    public void requestRegion(String owner) {
        if (!regionOwner.compareAndSet(null, owner)) {
            throw KernelException.of(Errno.EBUSY, "BAR0 region of " + address + " is already claimed by "
                    + regionOwner.get() + " (request_mem_region conflict)");
        }
    }

    public void releaseRegion() {
        regionOwner.set(null);
    }

    public boolean isRegionHeld() {
        return regionOwner.get() != null;
    }

    @Override
    public String toString() {
        return address + " " + chipset;
    }
}
