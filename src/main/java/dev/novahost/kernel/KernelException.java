package dev.novahost.kernel;

/**
 * The one way the simulated kernel reports a failed call: an {@link Errno} and a sentence a user
 * understands, like a negative return value plus the {@code dev_err} line that goes with it.
 *
 * <p>{@link #lookup()} marks errors that mean "the object you named does not exist" (an unknown device,
 * driver, module or file), as opposed to an object that exists but refuses the call. The web layer
 * needs the difference ({@code ENODEV} for an unknown device is 404, for a revoked BAR 410); the kernel
 * states it and knows nothing of HTTP.
 *
 * <p>No stack trace is captured: these are expected results of ordinary calls, not bugs, and some of
 * them (a refused BAR access) sit on hot paths.
 */
public final class KernelException extends RuntimeException {

    private final Errno errno;
    private final boolean lookup;

    private KernelException(Errno errno, String message, boolean lookup) {
        super(message, null, false, false);
        this.errno = errno;
        this.lookup = lookup;
    }

    public static KernelException of(Errno errno, String message) {
        return new KernelException(errno, message, false);
    }

    /** The named object does not exist. */
    public static KernelException notFound(Errno errno, String message) {
        return new KernelException(errno, message, true);
    }

    public Errno errno() {
        return errno;
    }

    public boolean lookup() {
        return lookup;
    }
}
