package dev.novahost.kernel;

/**
 * The error numbers the simulated kernel returns, with Linux's names and values.
 *
 * <p>{@code EWOULDBLOCK} is {@code EAGAIN} in Linux (both 11); it is kept as its own constant because
 * {@code delete_module} reports it under that name ("Module nova_core is in use"), and users read the
 * name, not the number.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    EIO(5, "Input/output error"),
    ENXIO(6, "No such device or address"),
    E2BIG(7, "Argument list too long"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    EWOULDBLOCK(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    ENODEV(19, "No such device"),
    EINVAL(22, "Invalid argument"),
    ENOSPC(28, "No space left on device"),
    EUSERS(87, "Too many users"),
    EOPNOTSUPP(95, "Operation not supported"),
    ETIMEDOUT(110, "Connection timed out"),
    EPROBE_DEFER(517, "Probe deferred");

    private final int number;
    private final String description;

    Errno(int number, String description) {
        this.number = number;
        this.description = description;
    }

    public int number() {
        return number;
    }

    /** What {@code strerror} says. */
    public String description() {
        return description;
    }
}
