package dev.novahost.kernel.fault;

import dev.novahost.kernel.Policy;
import java.util.List;
import java.util.Optional;

/**
 * The order nova-core's {@code remove()} runs its steps in: the built-in one (its own code, where the
 * boolean {@link Fault}s leave steps out), a {@link RemovePreset} by name, or a list the user wrote. A
 * preset or a list is run exactly, and the boolean remove-side faults are not consulted then.
 *
 * @param preset the named order, if one was named
 * @param steps  the written order, when no preset was named; empty with no preset: the built-in order
 */
public record RemoveOrder(Optional<RemovePreset> preset, List<RemoveStep> steps) {

    public static final RemoveOrder BUILT_IN = new RemoveOrder(Optional.empty(), List.of());

    public RemoveOrder {
        steps = RemoveStep.checked(steps);
        if (preset.isPresent() && !steps.isEmpty()) {
            throw new IllegalArgumentException("a remove order is a preset or a list, not both");
        }
    }

    public static RemoveOrder of(RemovePreset preset) {
        return new RemoveOrder(Optional.of(preset), List.of());
    }

    public static RemoveOrder of(List<RemoveStep> steps) {
        return new RemoveOrder(Optional.empty(), steps);
    }

    /** Whether remove() runs its own code. */
    public boolean builtIn() {
        return preset.isEmpty() && steps.isEmpty();
    }

    /** The steps remove() runs under {@code policy}; empty for the built-in order. */
    public Optional<List<RemoveStep>> stepsFor(Policy policy) {
        return preset.map(named -> named.steps(policy)).or(() -> steps.isEmpty() ? Optional.empty() : Optional.of(steps));
    }

    /** As a log line and the journal say it: the preset's name, or the words joined by commas; empty when built in. */
    public String describe() {
        return preset.map(RemovePreset::word).orElseGet(() -> String.join(",", RemoveStep.words(steps)));
    }
}
