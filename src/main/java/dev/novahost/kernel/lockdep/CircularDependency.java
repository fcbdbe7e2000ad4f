package dev.novahost.kernel.lockdep;

import java.util.ArrayList;
import java.util.List;

/**
 * What lockdep prints when a new order closes a cycle: {@code task} tries to take {@code acquiring} (at
 * {@code acquiringAt}) while holding {@code holding} (taken at {@code holdingAt}), and {@code acquiring}
 * already depends on {@code holding} through {@code chain}, the orders seen before, from
 * {@code acquiring} to {@code holding}. Taking the lock now need not block: the report proves the
 * deadlock from orders that each happened once. A chain with no links is recursion: the task already
 * holds the class it is taking (or waits for itself).
 */
public record CircularDependency(String task, LockClass acquiring, String acquiringAt, LockClass holding,
                                 String holdingAt, List<Dependency> chain) {

    public CircularDependency {
        chain = List.copyOf(chain);
    }

    public boolean isRecursive() {
        return chain.isEmpty();
    }

    /** The classes of the cycle, in order, starting from the one being taken. */
    public List<LockClass> cycle() {
        var classes = new ArrayList<LockClass>();
        classes.add(acquiring);
        chain.forEach(link -> classes.add(link.after()));
        return classes;
    }

    /** The report in lockdep's words and layout. */
    public List<String> report() {
        var lines = new ArrayList<String>();
        if (isRecursive()) {
            lines.add("WARNING: possible recursive locking detected");
            lines.add(task + " is trying to acquire lock: " + acquiring + " in " + acquiringAt);
            lines.add("but task is already holding lock: " + holding + " taken in " + holdingAt);
            lines.add("*** DEADLOCK *** (it waits for itself)");
            return lines;
        }
        lines.add("WARNING: possible circular locking dependency detected");
        lines.add(task + " is trying to acquire lock: " + acquiring + " in " + acquiringAt);
        lines.add("but task is already holding lock: " + holding + " taken in " + holdingAt);
        lines.add("which lock already depends on the new lock.");
        lines.add("the existing dependency chain (in reverse order) is:");
        for (int i = chain.size() - 1; i >= 0; i--) {
            lines.add(chain.get(i).line(i + 1));
        }
        lines.add("-> #0 " + acquiring + ": taken in " + acquiringAt + " by " + task + " while holding " + holding);
        return lines;
    }
}
