package dev.novahost.kernel.devres;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A device's list of managed resources ({@code dev->devres_head}): everything probe acquires is
 * registered here with the action that releases it, and {@link #releaseAll()} undoes them in reverse
 * order of acquisition, at unbind and after a failed probe alike ({@code devres_release_all}).
 *
 * <p>Thread-safety: guarded by {@code this}; in practice only the thread holding the device lock uses it.
 */
public final class DevresList {

    private record Entry(String name, Runnable release) { }

    private final Deque<Entry> entries = new ArrayDeque<>();

    /** {@code devm_add_action}: remember how to release what was just acquired. */
    public synchronized void add(String name, Runnable release) {
        entries.push(new Entry(name, release));
    }

    /**
     * {@code devres_destroy}: takes the named entry off the list without releasing it, for a driver that
     * releases the resource itself ({@code devm_free_irq}), so that {@link #releaseAll()} does not release
     * it a second time. Returns whether the entry was there.
     */
    public synchronized boolean destroy(String name) {
        for (var it = entries.iterator(); it.hasNext(); ) {
            if (it.next().name().equals(name)) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    /** Releases every entry, last acquired first, and returns their names in the order released. */
    public List<String> releaseAll() {
        var released = new ArrayList<String>();
        for (Entry entry = pop(); entry != null; entry = pop()) {
            entry.release().run();
            released.add(entry.name());
        }
        return released;
    }

    private synchronized Entry pop() {
        return entries.poll();
    }

    public synchronized List<String> names() {
        return entries.stream().map(Entry::name).toList();
    }

    public synchronized boolean isEmpty() {
        return entries.isEmpty();
    }
}
