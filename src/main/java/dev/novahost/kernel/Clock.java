package dev.novahost.kernel;

/**
 * The kernel's monotonic time in nanoseconds since the simulated machine booted ({@code ktime_get}).
 * Injected everywhere time is read, so that tests and scenarios can drive it.
 *
 * <p>Implementations must be safe to call from any thread and never go backwards.
 */
public interface Clock {

    long nanoTime();

    /** Real time: {@link System#nanoTime()} relative to the moment the clock was created. */
    static Clock system() {
        long boot = System.nanoTime();
        return () -> System.nanoTime() - boot;
    }
}
