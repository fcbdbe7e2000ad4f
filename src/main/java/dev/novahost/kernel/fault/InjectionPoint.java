package dev.novahost.kernel.fault;

import dev.novahost.kernel.Errno;
import java.util.List;
import java.util.Optional;

/**
 * A fallible step of the model that can be made to fail (Linux's {@code fail_function} list,
 * {@code ALLOW_ERROR_INJECTION}): its wire word is the kernel function's name, and it fails with one of
 * the errnos the real call returns, the first by default ({@code retval}). The closed set is defined here
 * once; {@code GET /api/v1/drivers/nova-core/injectable} lists it, and a sweep walks it in probe order.
 * A word is written into journals: it never changes.
 */
public enum InjectionPoint {
    PCI_ENABLE_DEVICE("pci_enable_device", "enable the device's memory decoding", Errno.EIO, Errno.ENODEV),
    PCI_REQUEST_REGION("pci_request_region", "claim BAR0's region", Errno.EBUSY),
    PCI_IOMAP("pci_iomap", "map BAR0", Errno.ENOMEM),
    KZALLOC("kzalloc", "allocate the driver data", Errno.ENOMEM),
    REQUEST_IRQ("request_irq", "install the PTIMER alarm handler", Errno.EBUSY, Errno.EINVAL),
    REQUEST_FIRMWARE("request_firmware", "load the GPU's firmware image", Errno.ENOENT),
    READ_POLL_TIMEOUT("read_poll_timeout", "wait for the GPU to report boot complete", Errno.ETIMEDOUT);

    private static final List<InjectionPoint> ALL = List.of(values());

    private final String word;
    private final String description;
    private final List<Errno> errnos;

    InjectionPoint(String word, String description, Errno... errnos) {
        this.word = word;
        this.description = description;
        this.errnos = List.of(errnos);
    }

    /** The kernel function's name: {@code pci_iomap}. */
    public String word() {
        return word;
    }

    public String description() {
        return description;
    }

    /** The errnos the real call returns; the first is the default {@code retval}. */
    public List<Errno> errnos() {
        return errnos;
    }

    public Errno defaultErrno() {
        return errnos.getFirst();
    }

    public static Optional<InjectionPoint> ofWord(String word) {
        return ALL.stream().filter(point -> point.word.equals(word)).findFirst();
    }
}
