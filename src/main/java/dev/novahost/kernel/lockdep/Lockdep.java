package dev.novahost.kernel.lockdep;

import dev.novahost.kernel.task.CurrentTask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The lock validator: a dependency graph over {@link LockClass}es, grown on every acquisition and wait,
 * that proves a deadlock from orders that each happened once, before any task blocks (kernel/locking/
 * lockdep.c). When a task takes class N while holding H, the order H → N joins the graph, unless N
 * already reaches H: then the orders form a cycle, and some interleaving of the tasks that made them
 * deadlocks. That is reported ({@link CircularDependency}) and the order is not added, so the graph stays
 * acyclic and the same bug is recognised, and counted, when it comes again.
 *
 * <p>Lockdep reports its first bug and turns itself off; this one reports each distinct cycle once, to the
 * reporter, and counts its repeats ({@link #found()}), so that one bug does not hide the next.
 *
 * <p>Held locks are per thread: a task is a thread (an HTTP request, a timer or work callback, a simulated
 * CPU). Thread-safety: the hot path (an order already known) reads concurrent maps and takes no lock; a
 * new order takes the graph lock, as lockdep's {@code graph_lock()} does, to search and add atomically.
 * The reporter is called under the graph lock: it must be quick and must not take kernel locks.
 */
public final class Lockdep {

    /** A lock this thread holds, and where it took it; closing it releases it. */
    private final class Held implements Acquired {
        private final LockClass lockClass;
        private final String where;

        Held(LockClass lockClass, String where) {
            this.lockClass = lockClass;
            this.where = where;
        }

        LockClass lockClass() {
            return lockClass;
        }

        String where() {
            return where;
        }

        @Override
        public void close() {
            release(this);
        }
    }

    /** What {@link #acquire} returns when lockdep is off: closing it does nothing. */
    private static final Acquired NOTHING = () -> { };

    /** A cycle found, the first report of it, and how often it was seen. */
    public record Found(CircularDependency first, long times) {
    }

    private final Map<String, LockClass> classes = new ConcurrentHashMap<>();
    private final ThreadLocal<Deque<Held>> held = ThreadLocal.withInitial(ArrayDeque::new);
    private final ThreadLocal<String> taskName = new ThreadLocal<>();
    private final Object graphLock = new Object();
    private final Map<List<LockClass>, Found> found = new LinkedHashMap<>();
    private final Consumer<CircularDependency> reporter;
    private final boolean enabled;

    public Lockdep(Consumer<CircularDependency> reporter) {
        this(reporter, true);
    }

    private Lockdep(Consumer<CircularDependency> reporter, boolean enabled) {
        this.reporter = reporter;
        this.enabled = enabled;
    }

    /** Lockdep compiled out ({@code CONFIG_PROVE_LOCKING=n}): classes exist, nothing is tracked or reported. */
    public static Lockdep disabled() {
        return new Lockdep(cycle -> { }, false);
    }

    public boolean enabled() {
        return enabled;
    }

    /** The class of that name ({@code &nd->lock}, {@code (wq_completion)nova-core}), made on first use. */
    public LockClass lockClass(String name) {
        return classes.computeIfAbsent(name, LockClass::new);
    }

    /**
     * Names the current thread's task in reports, over {@link CurrentTask#name()} (the callback or task
     * running here, else the thread's name), which names it otherwise.
     */
    public void nameTask(String name) {
        taskName.set(name);
    }

    /**
     * Takes a lock of class {@code lockClass} at {@code where} (validated first, as {@code lock_acquire}
     * is called before the lock is really taken), held until the returned handle is closed.
     */
    public Acquired acquire(LockClass lockClass, String where) {
        if (!enabled) {
            return NOTHING;
        }
        validate(lockClass, where);
        var lock = new Held(lockClass, where);
        held.get().push(lock);
        return lock;
    }

    /**
     * A wait at {@code where} for whatever holds {@code lockClass}'s pseudo-lock: taken and released at
     * once ({@code lock_map_acquire} + {@code lock_map_release}, as {@code cancel_work_sync},
     * {@code flush_workqueue} and a synchronous timer delete do).
     */
    public void waitFor(LockClass lockClass, String where) {
        if (enabled) {
            validate(lockClass, where);
        }
    }

    /** The locks this thread holds, oldest first, by class name (for hung-task reports and tests). */
    public List<String> heldByThisThread() {
        var names = new ArrayList<String>();
        held.get().descendingIterator().forEachRemaining(h -> names.add(h.lockClass().name()));
        return names;
    }

    /**
     * Every class made so far, by name ({@code /proc/lockdep}). Bounded by the code, not by use: classes
     * are named by the model's locks and waits (one per kind of lock, callback and workqueue), never by a
     * request, so the graph has at most that many classes and their square of orders.
     */
    public List<LockClass> classes() {
        return classes.values().stream().sorted(Comparator.comparing(LockClass::name)).toList();
    }

    /** Every order seen so far (the graph's edges), each with its first occurrence. */
    public List<Dependency> dependencies() {
        return classes.values().stream().flatMap(c -> c.after.values().stream()).toList();
    }

    /** Every cycle found so far, in the order first seen. */
    public List<Found> found() {
        synchronized (graphLock) {
            return List.copyOf(found.values());
        }
    }

    /** Lockdep's graph back to empty (a host reset); classes stay interned. */
    public void reset() {
        synchronized (graphLock) {
            classes.values().forEach(c -> c.after.clear());
            found.clear();
        }
    }

    /** Held with a handle: release in try-with-resources, in any order (lockdep allows non-nested release). */
    @FunctionalInterface
    public interface Acquired extends AutoCloseable {
        @Override
        void close();
    }

    private void release(Held lock) {
        var stack = held.get();
        if (stack.peek() == lock) {
            stack.pop(); // the usual, nested case
            return;
        }
        if (!stack.remove(lock)) {
            throw new IllegalStateException("releasing " + lock.lockClass() + ", which this thread does not hold");
        }
    }

    private void validate(LockClass taking, String where) {
        var stack = held.get();
        if (stack.isEmpty()) {
            return;
        }
        boolean known = true;
        for (var h : stack) {
            if (h.lockClass() == taking || !h.lockClass().after.containsKey(taking)) {
                known = false;
                break;
            }
        }
        if (known) {
            return; // every order already in the graph, checked when it was added: the hot path
        }
        synchronized (graphLock) {
            for (var h : stack) {
                if (h.lockClass() == taking) {
                    addOrder(h, taking, where); // recursion first, as check_deadlock() comes before check_prevs_add()
                    return;
                }
            }
            for (var h : stack) {
                addOrder(h, taking, where);
            }
        }
    }

    /** Under the graph lock: the order {@code held → taking}, or the cycle it would close. */
    private void addOrder(Held holding, LockClass taking, String where) {
        var before = holding.lockClass();
        if (before.after.containsKey(taking)) {
            return;
        }
        String task = task();
        if (before == taking) {
            record(new CircularDependency(task, taking, where, before, holding.where(), List.of()));
            return;
        }
        var path = path(taking, before);
        if (path != null) {
            record(new CircularDependency(task, taking, where, before, holding.where(), path));
            return;
        }
        before.after.put(taking, new Dependency(before, taking, task, holding.where(), where));
    }

    /** The orders from {@code from} to {@code to} (breadth first, so the shortest), or null. */
    private static List<Dependency> path(LockClass from, LockClass to) {
        var cameBy = new HashMap<LockClass, Dependency>();
        var queue = new ArrayDeque<LockClass>();
        queue.add(from);
        cameBy.put(from, null);
        while (!queue.isEmpty()) {
            var at = queue.poll();
            if (at == to) {
                var links = new ArrayList<Dependency>();
                for (var link = cameBy.get(at); link != null; link = cameBy.get(link.before())) {
                    links.addFirst(link);
                }
                return links;
            }
            for (var link : at.after.values()) {
                if (!cameBy.containsKey(link.after())) {
                    cameBy.put(link.after(), link);
                    queue.add(link.after());
                }
            }
        }
        return null;
    }

    private void record(CircularDependency cycle) {
        var key = canonical(cycle.cycle());
        var seen = found.get(key);
        if (seen != null) {
            found.put(key, new Found(seen.first(), seen.times() + 1));
            return;
        }
        found.put(key, new Found(cycle, 1));
        reporter.accept(cycle);
    }

    /** A cycle whatever class it was entered at: rotated to start at its least name. */
    private static List<LockClass> canonical(List<LockClass> cycle) {
        int start = 0;
        for (int i = 1; i < cycle.size(); i++) {
            if (cycle.get(i).name().compareTo(cycle.get(start).name()) < 0) {
                start = i;
            }
        }
        var rotated = new ArrayList<LockClass>(cycle.size());
        for (int i = 0; i < cycle.size(); i++) {
            rotated.add(cycle.get((start + i) % cycle.size()));
        }
        return List.copyOf(rotated);
    }

    private String task() {
        var name = taskName.get();
        return name != null ? name : CurrentTask.name();
    }
}
