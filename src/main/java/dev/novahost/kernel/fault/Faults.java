package dev.novahost.kernel.fault;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The bugs injected into nova-core: the {@link Fault}s that are on, each a step its {@code remove()}
 * leaves out, with the {@link FaultAttr} that says at which eligible calls; the {@link InjectionPoint}s
 * that fail ({@code fail_function}'s {@code inject} list, each with its attributes and {@code retval});
 * optionally an errno probe fails with after acquiring its resources; and the seed their random choices
 * start from, so that a run is repeatable; and the {@link RemoveOrder} remove() runs its steps in (a
 * preset or a list of the user's; empty: its own code). They take effect the next time that code runs.
 * An immutable value.
 *
 * @param attrs        the faults that are on, with their attributes
 * @param inject       the injection points that fail, with their attributes and errno
 * @param probeFailure probe fails with this errno after acquiring its resources
 * @param seed         where the random choices start; empty: the injector picks one (and says which)
 * @param remove       the order of remove()'s steps; {@link RemoveOrder#BUILT_IN}: its own
 */
public record Faults(Map<Fault, FaultAttr> attrs, Map<InjectionPoint, Injection> inject,
                     Optional<Errno> probeFailure, OptionalLong seed, RemoveOrder remove) {

    /** One injection point that fails: when ({@code attr}) and with which errno ({@code retval}). */
    public record Injection(FaultAttr attr, Errno retval) {
        /** {@code EINVAL} unless {@code retval} is one of the errnos {@code point} really returns. */
        public Injection checkedFor(InjectionPoint point) {
            if (!point.errnos().contains(retval)) {
                throw KernelException.of(Errno.EINVAL, point.word() + " fails with " + point.errnos() + ", not " + retval);
            }
            return this;
        }
    }

    public static final Faults NONE = new Faults(Map.of(), Map.of(), Optional.empty(), OptionalLong.empty());

    /** These, with the built-in remove() order. */
    public Faults(Map<Fault, FaultAttr> attrs, Map<InjectionPoint, Injection> inject, Optional<Errno> probeFailure,
                  OptionalLong seed) {
        this(attrs, inject, probeFailure, seed, RemoveOrder.BUILT_IN);
    }

    public Faults {
        var attrCopy = new EnumMap<Fault, FaultAttr>(Fault.class);
        attrCopy.putAll(attrs);
        attrs = Collections.unmodifiableMap(attrCopy);
        var injectCopy = new EnumMap<InjectionPoint, Injection>(InjectionPoint.class);
        inject.forEach((point, injection) -> injectCopy.put(point, injection.checkedFor(point)));
        inject = Collections.unmodifiableMap(injectCopy);
    }

    /** The faults in {@code on}, each on every eligible call ({@link FaultAttr#ALWAYS}), as before attributes. */
    public Faults(Set<Fault> on, Optional<Errno> probeFailure) {
        this(always(on), Map.of(), probeFailure, OptionalLong.empty());
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

    /** The same with {@code seed}. */
    public Faults withSeed(long seed) {
        return new Faults(attrs, inject, probeFailure, OptionalLong.of(seed), remove);
    }

    /** The same with remove() run in {@code order}. */
    public Faults withRemove(RemoveOrder order) {
        return new Faults(attrs, inject, probeFailure, seed, order);
    }

    /** The faults that are on, whatever their attributes. */
    public Set<Fault> on() {
        return attrs.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(attrs.keySet()));
    }

    public boolean has(Fault fault) {
        return attrs.containsKey(fault);
    }

    /**
     * The faults that are on, as a log line says them: {@code forgetTimerCancel, probeFailure=EIO,
     * remove=free_irq,hrtimer_cancel}, or {@code none}.
     */
    public String describe() {
        var said = new ArrayList<String>();
        attrs.keySet().forEach(fault -> said.add(fault.word()));
        inject.forEach((point, injection) -> said.add(point.word() + "=" + injection.retval()));
        probeFailure.ifPresent(errno -> said.add("probeFailure=" + errno));
        if (!remove.builtIn()) {
            said.add("remove=" + remove.describe());
        }
        return said.isEmpty() ? "none" : String.join(", ", said);
    }

    private static Map<Fault, FaultAttr> always(Set<Fault> on) {
        var attrs = new EnumMap<Fault, FaultAttr>(Fault.class);
        on.forEach(fault -> attrs.put(fault, FaultAttr.ALWAYS));
        return attrs;
    }
}
