package dev.novahost.kernel.devres;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * A device's list of managed resources ({@code dev->devres_head}): everything probe acquires is
 * registered here with the action that releases it, and {@link #releaseAll()} undoes them in reverse
 * order of acquisition, at unbind and after a failed probe alike ({@code devres_release_all}).
 *
 * <p>An entry is found again by the {@link Entry} {@link #add} returned, never by its name: the name is
 * only what the log says about it, and two entries may share one.
 *
 * <p>Thread-safety: guarded by {@code this}; in practice only the thread holding the device lock uses it.
 */
public final class DevresList {

    /** One registered resource: the handle {@link #destroy} takes. Compared by identity. */
    public static final class Entry {

        private final String name;
        private final Runnable release;

        private Entry(String name, Runnable release) {
            this.name = name;
            this.release = release;
        }

        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final Deque<Entry> entries = new ArrayDeque<>();
    private final Consumer<String> added;

    public DevresList() {
        this(name -> { });
    }

    /** A list that tells {@code added} the name of each entry added ({@code devres_log}'s ADD lines). */
    public DevresList(Consumer<String> added) {
        this.added = added;
    }

    /** {@code devm_add_action}: remember how to release what was just acquired; the entry is its handle. */
    public Entry add(String name, Runnable release) {
        var entry = new Entry(name, release);
        synchronized (this) {
            entries.push(entry);
        }
        added.accept(name);
        return entry;
    }

    /**
     * {@code devres_destroy}: takes the entry off the list without releasing it, for a driver that
     * releases the resource itself ({@code devm_free_irq}), so that {@link #releaseAll()} does not release
     * it a second time. Returns whether the entry was there.
     */
    public synchronized boolean destroy(Entry entry) {
        for (var it = entries.iterator(); it.hasNext(); ) {
            if (it.next() == entry) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    /** Releases every entry, last acquired first, and returns their names in the order released. */
    public List<String> releaseAll() {
        return releaseEach(name -> { });
    }

    /**
     * As {@link #releaseAll()}, telling {@code before} each entry's name just before it is released (on
     * this thread, with the entry already off the list): where an unbind can be held between two entries.
     */
    public List<String> releaseEach(Consumer<String> before) {
        var released = new ArrayList<String>();
        for (Entry entry = pop(); entry != null; entry = pop()) {
            before.accept(entry.name());
            entry.release.run();
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
