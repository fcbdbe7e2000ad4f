package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciBus;
import java.util.List;

/**
 * nova-core's work items: the kernel service behind the HTTP API's work routes. It queues a work item
 * on the driver instance bound to a device, lists, finds and disables work items.
 *
 * <p>Thread-safety: stateless; any thread may call it. {@link DriverObjects} and its table state theirs.
 */
public final class WorkService {

    private final PciBus bus;
    private final NovaCore novaCore;

    WorkService(PciBus bus, NovaCore novaCore) {
        this.bus = bus;
        this.novaCore = novaCore;
    }

    /** {@code ENODEV} when nova-core is not bound; the spec keeps its own rules ({@link DriverWork.Spec}). */
    public DriverWork queue(PciAddress device, DriverWork.Spec spec) {
        return novaCore.objects().queueWork(novaCore.boundTo(bus.get(device)), spec);
    }

    public List<DriverWork> all() {
        return novaCore.objects().table().works();
    }

    /** The work items made on the device; {@code ENODEV} for an address with no device. */
    public List<DriverWork> of(PciAddress device) {
        String address = bus.get(device).address().toString();
        return all().stream().filter(w -> w.owner().address().equals(address)).toList();
    }

    /** {@code ENOENT} for an id no work item has. */
    public DriverWork get(long id) {
        return novaCore.objects().table().work(id);
    }

    /**
     * Lets the work item's {@code block} function, blocked now, go on: {@code ENODEV} for an address with
     * no device, {@code ENOENT} for an id no work item of that device has, {@code EINVAL} when its action
     * is not {@code block} or its function is not blocked now.
     */
    public DriverWork release(PciAddress device, long id) {
        String address = bus.get(device).address().toString();
        var work = novaCore.objects().table().work(id);
        if (!work.owner().address().equals(address)) {
            throw KernelException.notFound(Errno.ENOENT, "No work item " + id + " on " + address);
        }
        work.release();
        return work;
    }

    /**
     * {@code disable_work_sync}: when this returns the work is not pending, not running, and never runs again.
     * {@code EBUSY} while its function is stuck, as for timers ({@link TimerService#cancel}).
     */
    public DriverWork cancel(long id) {
        var work = get(id);
        if (work.isStuck()) {
            throw KernelException.of(Errno.EBUSY, work.name() + "'s function is stuck (blocked until released, or"
                    + " behind a lock): release it (POST /api/v1/devices/" + work.owner().address() + "/work/"
                    + id + "/release) or reset the host, then cancel");
        }
        return novaCore.objects().cancelWork(id);
    }
}
