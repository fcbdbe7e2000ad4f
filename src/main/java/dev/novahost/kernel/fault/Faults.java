package dev.novahost.kernel.fault;

import dev.novahost.kernel.Errno;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The bugs injected into nova-core: the {@link Fault}s that are on, each a step its {@code remove()}
 * leaves out, and optionally an errno probe fails with after acquiring its resources. They take effect
 * the next time that code runs. An immutable value: {@code on} is a copy, read-only.
 *
 * @param on           the faults that are on
 * @param probeFailure probe fails with this errno after acquiring its resources
 */
public record Faults(Set<Fault> on, Optional<Errno> probeFailure) {

    public static final Faults NONE = new Faults(Set.of(), Optional.empty());

    public Faults {
        var copy = EnumSet.noneOf(Fault.class);
        copy.addAll(on);
        on = Collections.unmodifiableSet(copy);
    }

    /** These faults on, no probe failure. */
    public static Faults of(Fault... on) {
        var set = EnumSet.noneOf(Fault.class);
        Collections.addAll(set, on);
        return new Faults(set, Optional.empty());
    }

    /**
     * The faults for which {@code on} says yes, each asked once: how an adapter reads them from its own
     * format, by {@link Fault#word()}, without naming any of them.
     */
    public static Faults where(Predicate<Fault> on, Optional<Errno> probeFailure) {
        var set = EnumSet.noneOf(Fault.class);
        for (Fault fault : Fault.values()) {
            if (on.test(fault)) {
                set.add(fault);
            }
        }
        return new Faults(set, probeFailure);
    }

    public boolean has(Fault fault) {
        return on.contains(fault);
    }

    /** The faults that are on, as a log line says them: {@code forgetTimerCancel, probeFailure=EIO}, or {@code none}. */
    public String describe() {
        var said = new ArrayList<String>();
        on.forEach(fault -> said.add(fault.word()));
        probeFailure.ifPresent(errno -> said.add("probeFailure=" + errno));
        return said.isEmpty() ? "none" : String.join(", ", said);
    }
}
