package dev.novahost.kernel.timer;

import java.util.Arrays;

/**
 * A min-heap of timer entries ordered by deadline, then by the sequence number they were scheduled
 * with, where each entry knows its own heap slot, as the kernel's timerqueue keeps its rbtree node in
 * the timer. The heap is 4-ary: half as deep as a binary one, so taking the earliest entry moves half
 * as many entries (each move writes the moved entry's slot), and the four children's keys are 64
 * consecutive bytes.
 *
 * <p>Removing an entry only marks it dead (O(1)): unbinding a device with thousands of armed timers
 * cancels them in the order they were armed, which for timers of equal delay is heap order, and taking
 * the root out each time would sift the whole depth of the heap per timer. A dead entry keeps its slot
 * and its key until it reaches the top (where peek and poll drop it) or until dead entries outnumber
 * live ones, when the heap is rebuilt from the live entries in O(n). So each entry is physically removed
 * once, the heap never holds more dead entries than live ones (plus a small constant), and re-arming a
 * dead entry that still has its slot just revives it there. Keys of entries in the heap, dead or live,
 * are changed only between {@link #remove} and {@link #add} of that entry, as {@code schedule} does.
 *
 * <p>The keys (deadline, sequence) are copied into a primitive array beside the entries when an entry is
 * added, so that sifting compares neighbouring longs instead of loading each entry from wherever it
 * lives on the heap: with 100,000 timers the entries do not fit in the cache, and a sift through 17
 * levels would miss on nearly every comparison.
 *
 * <p>Not thread-safe: the {@link TimerEngine} guards it with its lock.
 */
final class TimerQueue {

    /** Dead entries tolerated before the heap is rebuilt, however few live ones there are. */
    private static final int DEAD_SLACK = 64;

    private TimerEngine.Entry[] heap = new TimerEngine.Entry[64];
    /** {@code keys[2i]} and {@code keys[2i + 1]}: the deadline and sequence of {@code heap[i]}. */
    private long[] keys = new long[2 * 64];
    /** Slots in use, live and dead. */
    private int size;
    private int dead;

    /** Live entries. */
    int size() {
        return size - dead;
    }

    TimerEngine.Entry peek() {
        dropDeadHead();
        return size == 0 ? null : heap[0];
    }

    void add(TimerEngine.Entry entry) {
        if (holds(entry)) { // dead but still in its slot: revive it there under its new key
            entry.queued = true;
            dead--;
            int i = entry.heapIndex;
            keys[2 * i] = entry.deadline;
            keys[2 * i + 1] = entry.seq;
            siftDown(siftUp(i));
            return;
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
            keys = Arrays.copyOf(keys, size * 4);
        }
        entry.queued = true;
        place(entry, entry.deadline, entry.seq, size);
        siftUp(size++);
    }

    TimerEngine.Entry poll() {
        var head = peek();
        if (head != null) {
            head.queued = false;
            removeAt(0);
        }
        return head;
    }

    /** Removes the entry if it is queued; false if it was not. */
    boolean remove(TimerEngine.Entry entry) {
        if (!entry.queued || !holds(entry)) {
            return false;
        }
        entry.queued = false;
        dead++;
        if (dead > DEAD_SLACK && dead > size - dead) {
            rebuildFromLive();
        }
        return true;
    }

    private boolean holds(TimerEngine.Entry entry) {
        int i = entry.heapIndex;
        return i >= 0 && i < size && heap[i] == entry;
    }

    private void dropDeadHead() {
        while (size > 0 && !heap[0].queued) {
            dead--;
            removeAt(0);
        }
    }

    /** Drops every dead entry and restores the heap order bottom-up (Floyd's heapify, O(n)). */
    private void rebuildFromLive() {
        int live = 0;
        for (int i = 0; i < size; i++) {
            var entry = heap[i];
            if (entry.queued) {
                place(entry, keys[2 * i], keys[2 * i + 1], live++);
            } else {
                entry.heapIndex = -1;
            }
        }
        Arrays.fill(heap, live, size, null);
        size = live;
        dead = 0;
        for (int i = (size - 2) >> 2; i >= 0; i--) {
            siftDown(i);
        }
    }

    private void removeAt(int i) {
        heap[i].heapIndex = -1;
        int last = --size;
        if (i != last) {
            place(heap[last], keys[2 * last], keys[2 * last + 1], i);
            heap[last] = null;
            if (siftDown(i) == i) {
                siftUp(i);
            }
        } else {
            heap[last] = null;
        }
    }

    /** Moves the entry at {@code i} up to its place; returns where it ended. */
    private int siftUp(int i) {
        var entry = heap[i];
        long deadline = keys[2 * i];
        long seq = keys[2 * i + 1];
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            if (!before(deadline, seq, parent)) {
                break;
            }
            place(heap[parent], keys[2 * parent], keys[2 * parent + 1], i);
            i = parent;
        }
        place(entry, deadline, seq, i);
        return i;
    }

    /** Moves the entry at {@code i} down to its place; returns where it ended. */
    private int siftDown(int i) {
        var entry = heap[i];
        long deadline = keys[2 * i];
        long seq = keys[2 * i + 1];
        for (int first = 4 * i + 1; first < size; first = 4 * i + 1) {
            int child = first;
            for (int other = first + 1, end = Math.min(first + 4, size); other < end; other++) {
                if (before(keys[2 * other], keys[2 * other + 1], child)) {
                    child = other;
                }
            }
            if (!before(keys[2 * child], keys[2 * child + 1], deadline, seq)) {
                break;
            }
            place(heap[child], keys[2 * child], keys[2 * child + 1], i);
            i = child;
        }
        place(entry, deadline, seq, i);
        return i;
    }

    private void place(TimerEngine.Entry entry, long deadline, long seq, int i) {
        heap[i] = entry;
        keys[2 * i] = deadline;
        keys[2 * i + 1] = seq;
        entry.heapIndex = i;
    }

    /** Whether the key (deadline, seq) comes before the key in slot {@code i}. */
    private boolean before(long deadline, long seq, int i) {
        return before(deadline, seq, keys[2 * i], keys[2 * i + 1]);
    }

    private static boolean before(long deadline, long seq, long otherDeadline, long otherSeq) {
        return deadline < otherDeadline || (deadline == otherDeadline && seq < otherSeq);
    }
}
