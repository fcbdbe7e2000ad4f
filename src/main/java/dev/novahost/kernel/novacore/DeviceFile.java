package dev.novahost.kernel.novacore;

import dev.novahost.kernel.task.TaskWait;
import dev.novahost.kernel.events.FileEvent;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.module.ModuleRef;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.pci.RegisterOffset;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntSupplier;

/**
 * An open device file ({@code struct file} on nova-core's char device): it holds a module reference
 * for as long as it is open ({@code fops.owner}), and its ops reach the registers through the driver's
 * BAR handle.
 *
 * <p>States: {@code open}; {@code disconnected}, either by a fenced {@code remove()} (ops then fail
 * with {@code ENODEV}) or by a disassociating unload (ops fail with {@code EIO} and run no module code);
 * {@code closed}. An op on a file whose module text was force-unloaded is an instruction fetch from
 * freed memory.
 *
 * <p>Thread-safety: ops hold the read side of {@code ops} while they run; disconnect takes the write
 * side, so it waits for ops in flight (the fence a correct C driver needs) and no op starts on a
 * disconnected file.
 */
public final class DeviceFile extends LoggedObject<FileEvent> {

    public enum State { OPEN, DISCONNECTED, CLOSED }

    private final int fd;
    private final ReentrantReadWriteLock ops = new ReentrantReadWriteLock();
    private ModuleRef ref;
    private volatile State state = State.OPEN;
    private volatile Errno disconnectedWith;

    DeviceFile(NovaContext ctx, int fd, NovaDevice owner) {
        super(ctx, owner, "file " + fd);
        this.fd = fd;
    }

    /** Called once the module reference is taken: the file is open. */
    void opened(ModuleRef moduleRef) {
        this.ref = moduleRef;
        log(new FileEvent.Opened(owner.address(), name(), moduleRef.text()));
    }

    public int read(int offset) {
        var at = RegisterOffset.of(offset); // EINVAL before the file's own checks
        return op(() -> owner.bar().read32(at));
    }

    public void write(int offset, int value) {
        var at = RegisterOffset.of(offset);
        op(() -> {
            owner.bar().write32(at, value);
            return value;
        });
    }

    private int op(IntSupplier access) {
        ops.readLock().lock();
        try {
            checkCallable();
            try {
                return access.getAsInt();
            } catch (KernelException failure) {
                if (failure.errno() == Errno.ENODEV || failure.errno() == Errno.ENXIO) {
                    ModuleCall.reportBarFailure(ctx, this, failure);
                }
                throw failure;
            }
        } finally {
            ops.readLock().unlock();
        }
    }

    /** The checks before a file op runs module code, in the order the kernel would fail them. */
    private void checkCallable() {
        switch (state) {
            case CLOSED -> throw KernelException.of(Errno.EBADF, "fd " + fd + " is closed");
            case DISCONNECTED -> {
                if (disconnectedWith == Errno.EIO) {
                    throw KernelException.of(Errno.EIO, "fd " + fd + " was disassociated when " + ref.text()
                            + " was unloaded; its ops no longer reach the driver");
                }
            }
            case OPEN -> { }
        }
        if (!ModuleCall.textAlive(ctx, this)) {
            throw KernelException.of(Errno.EFAULT, "fd " + fd + ": the file op points into " + ref.text()
                    + ", which was force-unloaded (exec_after_unload)");
        }
        if (state == State.DISCONNECTED) {
            throw KernelException.of(Errno.ENODEV, "fd " + fd + " was disconnected when " + owner.address()
                    + " was unbound");
        }
    }

    /** A fenced remove() disconnects the file: waits for ops in flight, then every later op gets ENODEV. */
    void disconnect() {
        disconnect("disconnect", Errno.ENODEV, "disconnected by remove()");
    }

    /**
     * A disassociating unload: later ops get EIO and run no module code; the module reference is dropped.
     * A file a fenced remove() already disconnected is disassociated too: it still holds the reference
     * and its ops and release() still point into the text being freed.
     */
    void disassociate() {
        disconnect("disassociate", Errno.EIO, "disassociated by module unload");
    }

    /** Waits for the ops in flight ({@code call}, as a task blocked here shows it), then cuts the file off. */
    private void disconnect(String call, Errno with, String why) {
        try (var wait = TaskWait.on(call, this)) {
            ops.writeLock().lock();
        }
        try {
            if (state == State.OPEN || (state == State.DISCONNECTED && with == Errno.EIO)) {
                disconnectedWith = with;
                state = State.DISCONNECTED;
                log(new FileEvent.Disconnected(owner.address(), name(), why));
            }
        } finally {
            ops.writeLock().unlock();
        }
    }

    /** {@code release}: module code too, so a force-unloaded module makes it an exec_after_unload. */
    public void close() {
        ops.writeLock().lock();
        try {
            if (state == State.CLOSED) {
                throw KernelException.of(Errno.EBADF, "fd " + fd + " is already closed");
            }
            if (disconnectedWith != Errno.EIO && ref.text().isFreed()) {
                ModuleCall.report(ctx, this, ViolationKind.EXEC_AFTER_UNLOAD, Outcome.OCCURRED,
                        "fd " + fd + ": release() calls into " + ref.text() + ", which was unloaded");
            }
            state = State.CLOSED;
            log(new FileEvent.Closed(owner.address(), name()));
        } finally {
            ops.writeLock().unlock();
        }
        ref.put();
        owner.forget(this);
    }

    public int fd() {
        return fd;
    }

    @Override
    public Scope scope() {
        return Scope.DEVICE;
    }

    @Override
    public ModuleText text() {
        return ref.text();
    }

    public State state() {
        return state;
    }
}
