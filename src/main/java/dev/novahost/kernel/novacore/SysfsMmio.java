package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.devres.Revocable;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.events.History;
import dev.novahost.kernel.module.ModuleText;
import dev.novahost.kernel.pci.RegisterOffset;
import java.util.Optional;

/**
 * The driver's MMIO attribute (as debugfs/sysfs would expose it), through which the HTTP API and
 * scenarios read and write registers with the driver's BAR handle.
 *
 * <p>Under fenced the attribute is fenced by its active reference: once remove() has drained it, an
 * access fails with {@code ENODEV} before it reaches the BAR, as an op on a disconnected file does, and
 * nothing is reported. Under revocable the BAR handle itself refuses once revoked, and the refusal is
 * reported against this attribute as prevented; an access that finds the mapping gone ({@code ENXIO})
 * is reported as occurred.
 *
 * <p>Thread-safety: a value; any thread may use it, the device's attribute reference and BAR handle are
 * thread-safe.
 */
record SysfsMmio(NovaContext ctx, NovaDevice owner) implements DriverObject {

    int read(RegisterOffset at) {
        try (var active = enter()) {
            try {
                return owner.bar().read32(at);
            } catch (KernelException failure) {
                throw reported(failure);
            }
        }
    }

    void write(RegisterOffset at, int value) {
        try (var active = enter()) {
            try {
                owner.bar().write32(at, value);
            } catch (KernelException failure) {
                throw reported(failure);
            }
        }
    }

    long readPtimer() {
        try (var active = enter()) {
            try {
                return owner.ptimer().readTime();
            } catch (KernelException failure) {
                throw reported(failure);
            }
        }
    }

    /** {@code kernfs_get_active} under fenced ({@code ENODEV} once drained); nothing to hold under revocable. */
    private Active enter() {
        if (owner.policy() != Policy.FENCED) {
            return Active.NONE;
        }
        Optional<Revocable.Guard<NovaDevice>> active = owner.sysfsEnter();
        var guard = active.orElseThrow(() -> KernelException.of(Errno.ENODEV,
                owner.address() + " is being unbound; its MMIO attribute is gone"));
        return guard::close;
    }

    private KernelException reported(KernelException failure) {
        if (failure.errno() == Errno.ENODEV || failure.errno() == Errno.ENXIO) {
            ModuleCall.reportBarFailure(ctx, this, failure);
        }
        return failure;
    }

    /** The attribute's active reference for one access, released when the access ends. */
    @FunctionalInterface
    private interface Active extends AutoCloseable {
        Active NONE = () -> { };

        @Override
        void close();
    }

    @Override
    public String name() {
        return "mmio " + owner.address();
    }

    @Override
    public Scope scope() {
        return Scope.DEVICE;
    }

    @Override
    public ModuleText text() {
        return owner.text();
    }

    @Override
    public History history() {
        return owner.history();
    }
}
