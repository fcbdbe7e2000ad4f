package dev.novahost.reliability;

import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;

/**
 * What the Lincheck tests share: how many random scenarios a check runs, and the scenarios that once
 * found a bug, replayed on every run.
 *
 * <p>In the suite each check runs a few random scenarios, its own default, so that a test class takes
 * seconds, not minutes; {@code -Dnova.lincheck.iterations=N} runs N per check instead (the long form;
 * {@link SeparateJvm} hands the property to the check's JVM). Lincheck draws its scenarios from a fixed
 * seed, so a short run always sees the same few: a bug they once found is therefore also pinned as a
 * scenario of its own, which the model checker explores whatever the number of random ones.
 */
final class LinearizabilityCheck {

    static final String ITERATIONS = "nova.lincheck.iterations";

    private LinearizabilityCheck() {
    }

    /** Random scenarios per check: {@code inTheSuite}, unless the long form asks for more. */
    static int iterations(int inTheSuite) {
        return Integer.getInteger(ITERATIONS, inTheSuite);
    }

    /**
     * A scenario of {@code test}'s operations (public, without parameters) by name: {@code initial} runs
     * first on one thread, then each list of {@code parallel} on a thread of its own.
     */
    static ExecutionScenario scenario(Class<?> test, List<String> initial, List<List<String>> parallel) {
        return new ExecutionScenario(actors(test, initial), parallel.stream().map(ops -> actors(test, ops)).toList(),
                List.of(), null);
    }

    private static List<Actor> actors(Class<?> test, List<String> operations) {
        return operations.stream().map(name -> {
            try {
                return new Actor(test.getMethod(name), List.of());
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(test.getSimpleName() + " has no operation " + name, e);
            }
        }).toList();
    }
}
