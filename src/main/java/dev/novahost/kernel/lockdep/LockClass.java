package dev.novahost.kernel.lockdep;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A class of locks, as lockdep keys them: every driver data's mutex is one class, however many devices
 * there are, so an order seen on one device proves the deadlock on all. A wait (a synchronous cancel, a
 * flush, a revocation's wait for readers) is a class too, a pseudo-lock that the waited-for side holds
 * while it runs: {@code (work_completion)name}, {@code (wq_completion)name}.
 *
 * <p>Each class keeps the classes acquired while it was held ({@code locks_after}), with the first
 * occurrence of each order, so that the hot path asks "seen before?" without a lock or an allocation.
 * Made only by {@link Lockdep#lockClass}, which interns them by name.
 */
public final class LockClass {

    private final String name;
    final Map<LockClass, Dependency> after = new ConcurrentHashMap<>();

    LockClass(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "(" + name + ")";
    }
}
