package dev.novahost.kernel.devres;

import dev.novahost.kernel.task.TaskWait;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.lockdep.Lockdep;
import dev.novahost.kernel.pci.BoundDevice;
import dev.novahost.kernel.pci.PciDevice;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.ToIntFunction;

/**
 * A device resource that is revoked when the device is unbound ({@code kernel::devres::Devres}): a
 * {@link Revocable} registered on the device's {@link DevresList}, so that {@code devres_release_all}
 * revokes it (waiting for accesses in flight) and then releases it.
 *
 * <p>Three ways in: {@link #tryAccess()} from anywhere, which may find the resource revoked;
 * {@link #tryRead} from anywhere, an optimistic read that registers nowhere and is refused if revocation
 * began before it finished (see {@link Revocable}); and {@link #access(BoundDevice)} from code that holds
 * proof that the device is bound, which needs no revocation check and registers no reader: only an
 * identity check, as {@code Devres::access} in Linux 6.16.
 *
 * <p>Thread-safety: as {@link Revocable}.
 */
public final class Devres<T> {

    private final PciDevice device;
    private final Revocable<T> revocable;

    private final String name;

    private Devres(PciDevice device, String name, Revocable<T> revocable) {
        this.device = device;
        this.name = name;
        this.revocable = revocable;
    }

    /** As a task waiting for its revocation shows it: {@code revoke(pci_iomap BAR0 of 0000:01:00.0)}. */
    @Override
    public String toString() {
        return name + " of " + device.address();
    }

    /** {@code Devres::new}: wraps the resource and puts its revocation on the device's devres list. */
    public static <T> Devres<T> register(PciDevice device, DevresList list, String name, T resource,
                                         Consumer<? super T> release, LongConsumer revokeWaitObserver) {
        return register(device, list, name, new Revocable<>(resource, release, revokeWaitObserver));
    }

    /**
     * As {@link #register(PciDevice, DevresList, String, Object, Consumer, LongConsumer)}, with the revocation's
     * wait for readers seen by {@code lockdep} as class {@code readersClass} ({@code (srcu)BAR0}): one class per
     * kind of resource, so that an order seen on one device stands for all.
     */
    public static <T> Devres<T> register(PciDevice device, DevresList list, String name, T resource,
                                         Consumer<? super T> release, LongConsumer revokeWaitObserver,
                                         Lockdep lockdep, String readersClass) {
        return register(device, list, name, new Revocable<>(resource, release, revokeWaitObserver, lockdep,
                lockdep.lockClass(readersClass)));
    }

    private static <T> Devres<T> register(PciDevice device, DevresList list, String name, Revocable<T> revocable) {
        var devres = new Devres<>(device, name, revocable);
        list.add(name, () -> {
            try (var wait = TaskWait.on("revoke", devres)) { // waits for the accesses in flight
                devres.revocable.revoke();
            }
        });
        return devres;
    }

    public Optional<Revocable.Guard<T>> tryAccess() {
        return revocable.tryAccess();
    }

    /** {@link Revocable#tryAccess(String)}: for a reader that may block or take locks while it holds the guard. */
    public Optional<Revocable.Guard<T>> tryAccess(String where) {
        return revocable.tryAccess(where);
    }

    /** {@link Revocable#tryRead}: {@code read} must change nothing and tolerate a released resource. */
    public OptionalInt tryRead(ToIntFunction<? super T> read) {
        return revocable.tryRead(read);
    }

    /** The resource, given proof that its device is bound; {@code EINVAL} for another device's proof. */
    public T access(BoundDevice bound) {
        if (bound.device() != device) {
            throw KernelException.of(Errno.EINVAL, "Devres of " + device.address()
                    + " accessed with the bound-device proof of " + bound.device().address());
        }
        return revocable.resourceUnchecked();
    }

    public boolean isRevoked() {
        return revocable.isRevoked();
    }

    public boolean revoke() {
        return revocable.revoke();
    }
}
