package dev.novahost.kernel.novacore;

import dev.novahost.kernel.devres.Revocable;
import java.util.Optional;

/**
 * A callback's read-side section over BAR0 ({@code srcu_read_lock} at its entry, {@code srcu_read_unlock}
 * at its exit), opened by {@link BarHandle#readLock}. While it is open the BAR cannot be revoked, so the
 * mapping it holds is the proof an access needs: no further check. Under the policies without sections
 * it is {@link #NONE}, which holds nothing and proves nothing.
 *
 * <p>Thread-safety: used and closed by the callback's own thread only.
 */
public final class BarSection implements AutoCloseable {

    /** No section: the policy has none (revocable, fenced). */
    static final BarSection NONE = new BarSection(Optional.empty());

    private final Optional<Revocable.Guard<IoMapping>> guard;

    BarSection(Revocable.Guard<IoMapping> guard) {
        this(Optional.of(guard));
    }

    private BarSection(Optional<Revocable.Guard<IoMapping>> guard) {
        this.guard = guard;
    }

    /** The mapping, proven there for as long as the section is open; none when this is no section. */
    Optional<IoMapping> registers() {
        return guard.map(Revocable.Guard::get);
    }

    @Override
    public void close() {
        guard.ifPresent(Revocable.Guard::close);
    }
}
