package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import org.springframework.http.HttpStatus;

/** The one place an errno becomes an HTTP status (DESIGN.md §7). */
final class ProblemStatus {

    private ProblemStatus() {
    }

    static HttpStatus of(KernelException e) {
        if (e.lookup()) {
            return HttpStatus.NOT_FOUND;
        }
        return of(e.errno());
    }

    static HttpStatus of(Errno errno) {
        return switch (errno) {
            case EINVAL -> HttpStatus.BAD_REQUEST;
            case ENOENT, EBADF -> HttpStatus.NOT_FOUND;
            case EBUSY, EEXIST, EWOULDBLOCK, EAGAIN, EPROBE_DEFER -> HttpStatus.CONFLICT;
            case ENODEV, ENXIO, EIO, EFAULT -> HttpStatus.GONE;
            case ENOSPC -> HttpStatus.INSUFFICIENT_STORAGE;
            case E2BIG -> HttpStatus.CONTENT_TOO_LARGE;
            case EPERM -> HttpStatus.FORBIDDEN;
            case EACCES -> HttpStatus.UNAUTHORIZED;
            case EOPNOTSUPP -> HttpStatus.METHOD_NOT_ALLOWED;
            case ETIMEDOUT -> HttpStatus.GATEWAY_TIMEOUT;
            case ENOMEM, EUSERS -> HttpStatus.SERVICE_UNAVAILABLE;
        };
    }

    /** The errno that best names a failure the framework found before the kernel was called. */
    static Errno errnoFor(int status) {
        return switch (status) {
            case 404 -> Errno.ENOENT;
            case 405 -> Errno.EOPNOTSUPP;
            case 413 -> Errno.E2BIG;
            case 429, 503 -> Errno.EAGAIN;
            case 403 -> Errno.EPERM;
            case 401 -> Errno.EACCES;
            case 501, 505 -> Errno.EOPNOTSUPP;
            default -> status >= 500 ? Errno.EIO : Errno.EINVAL;
        };
    }
}
