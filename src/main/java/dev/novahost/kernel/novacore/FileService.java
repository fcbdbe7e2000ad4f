package dev.novahost.kernel.novacore;

import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.pci.PciBus;
import java.util.List;

/**
 * nova-core's character device: the kernel service behind the HTTP API's file routes. It opens a file
 * on the driver instance bound to a device (holding a module reference), lists and finds open files,
 * reads and writes registers through a file, and closes it.
 *
 * <p>Thread-safety: stateless; any thread may call it. {@link DriverObjects}, its table and each
 * {@link DeviceFile} state theirs.
 */
public final class FileService {

    private final PciBus bus;
    private final NovaCore novaCore;

    FileService(PciBus bus, NovaCore novaCore) {
        this.bus = bus;
        this.novaCore = novaCore;
    }

    /** {@code open}; {@code ENODEV} when nova-core is not bound to the device or is being unloaded. */
    public DeviceFile open(PciAddress device) {
        return novaCore.objects().openFile(novaCore.boundTo(bus.get(device)), novaCore.module());
    }

    public List<DeviceFile> all() {
        return novaCore.objects().table().files();
    }

    /** The files open on the device; {@code ENODEV} for an address with no device. */
    public List<DeviceFile> of(PciAddress device) {
        String address = bus.get(device).address().toString();
        return all().stream().filter(f -> f.owner().address().equals(address)).toList();
    }

    /** {@code EBADF} for a descriptor that is not open. */
    public DeviceFile get(int fd) {
        return novaCore.objects().table().file(fd);
    }

    public int read(int fd, int offset) {
        return get(fd).read(offset);
    }

    public void write(int fd, int offset, int value) {
        get(fd).write(offset, value);
    }

    /** {@code close}: the file's release runs and its module reference is dropped. */
    public void close(int fd) {
        novaCore.objects().closeFile(fd);
    }
}
