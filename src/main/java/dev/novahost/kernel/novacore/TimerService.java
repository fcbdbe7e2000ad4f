package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciBus;
import java.util.List;
import java.util.Optional;

/**
 * nova-core's timers: the kernel service behind the HTTP API's timer routes. It arms a timer on the
 * driver instance bound to a device, lists, finds and cancels timers, and finds the work item a
 * {@code queue-work} timer queues ({@link #target}). Whether that work item belongs to the
 * instance the timer is armed on is checked once, by {@link DriverObjects#armTimer}, under the
 * instance's admit lock.
 *
 * <p>Thread-safety: stateless; any thread may call it. {@link DriverObjects} and its table state theirs.
 */
public final class TimerService {

    private final PciBus bus;
    private final NovaCore novaCore;

    TimerService(PciBus bus, NovaCore novaCore) {
        this.bus = bus;
        this.novaCore = novaCore;
    }

    /** Arms a timer on nova-core's instance on the device; {@code ENODEV} when nova-core is not bound to it. */
    public DriverTimer arm(PciAddress device, DriverTimer.Spec spec) {
        return novaCore.objects().armTimer(novaCore.boundTo(bus.get(device)), spec);
    }

    /**
     * The work item a {@code queue-work} timer queues, by its id ({@code EINVAL} for an id no work item
     * has); none without one. Which actions take one is the spec's rule ({@link DriverTimer.Spec}).
     */
    public Optional<DriverWork> target(Optional<Long> workId) {
        return workId.map(id -> novaCore.objects().table().works().stream().filter(w -> w.id() == id).findFirst()
                .orElseThrow(() -> KernelException.of(Errno.EINVAL, "There is no work item " + id)));
    }

    public List<DriverTimer> all() {
        return novaCore.objects().table().timers();
    }

    /** The timers made on the device; {@code ENODEV} for an address with no device. */
    public List<DriverTimer> of(PciAddress device) {
        String address = bus.get(device).address().toString();
        return all().stream().filter(t -> t.owner().address().equals(address)).toList();
    }

    /** {@code ENOENT} for an id no timer has. */
    public DriverTimer get(long id) {
        return novaCore.objects().table().timer(id);
    }

    /**
     * Lets the timer's {@code block} callback, blocked now, go on: {@code ENODEV} for an address with no
     * device, {@code ENOENT} for an id no timer of that device has, {@code EINVAL} when its action is not
     * {@code block} or its callback is not blocked now.
     */
    public DriverTimer release(PciAddress device, long id) {
        String address = bus.get(device).address().toString();
        var timer = novaCore.objects().table().timer(id);
        if (!timer.owner().address().equals(address)) {
            throw KernelException.notFound(Errno.ENOENT, "No timer " + id + " on " + address);
        }
        timer.release();
        return timer;
    }

    /**
     * {@code hrtimer_cancel} + shutdown: when this returns the callback is not running and never will.
     * {@code EBUSY} while the callback is stuck (a {@code block} callback not yet released, a {@code lock}
     * callback behind a deadlocked holder): the cancel would wait as long, and a request must not hang.
     * Best effort: a callback that gets stuck just after the check is waited for.
     */
    public DriverTimer cancel(long id) {
        var timer = get(id);
        if (timer.isStuck()) {
            throw KernelException.of(Errno.EBUSY, timer.name() + "'s callback is stuck (blocked until released, or"
                    + " behind a lock): release it (POST /api/v1/devices/" + timer.owner().address() + "/timers/"
                    + id + "/release) or reset the host, then cancel");
        }
        return novaCore.objects().cancelTimer(id);
    }
}
