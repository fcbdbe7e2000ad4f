package dev.novahost.kernel.timer;

import java.util.Arrays;

/**
 * A binary min-heap of timer entries ordered by deadline, then by the sequence number they were
 * scheduled with, where each entry knows its own heap slot so that removing it costs O(log n), as
 * the kernel's timerqueue does with its rbtree. Unbinding a device with thousands of armed timers
 * removes each in logarithmic time instead of scanning the queue.
 *
 * <p>Not thread-safe: the {@link TimerEngine} guards it with its lock.
 */
final class TimerQueue {

    private TimerEngine.Entry[] heap = new TimerEngine.Entry[64];
    private int size;

    int size() {
        return size;
    }

    TimerEngine.Entry peek() {
        return size == 0 ? null : heap[0];
    }

    void add(TimerEngine.Entry entry) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        entry.heapIndex = size;
        heap[size++] = entry;
        siftUp(entry.heapIndex);
    }

    TimerEngine.Entry poll() {
        var head = peek();
        if (head != null) {
            removeAt(0);
        }
        return head;
    }

    /** Removes the entry if it is queued; false if it was not. */
    boolean remove(TimerEngine.Entry entry) {
        int i = entry.heapIndex;
        if (i < 0 || i >= size || heap[i] != entry) {
            return false;
        }
        removeAt(i);
        return true;
    }

    private void removeAt(int i) {
        var removed = heap[i];
        removed.heapIndex = -1;
        int last = --size;
        if (i != last) {
            heap[i] = heap[last];
            heap[i].heapIndex = i;
            heap[last] = null;
            siftDown(i);
            if (heap[i] != null && heap[i].heapIndex == i) {
                siftUp(i);
            }
        } else {
            heap[last] = null;
        }
    }

    private void siftUp(int i) {
        var entry = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(entry, heap[parent])) {
                break;
            }
            place(heap[parent], i);
            i = parent;
        }
        place(entry, i);
    }

    private void siftDown(int i) {
        var entry = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], entry)) {
                break;
            }
            place(heap[child], i);
            i = child;
        }
        place(entry, i);
    }

    private void place(TimerEngine.Entry entry, int i) {
        heap[i] = entry;
        entry.heapIndex = i;
    }

    private static boolean before(TimerEngine.Entry a, TimerEngine.Entry b) {
        return a.deadline < b.deadline || (a.deadline == b.deadline && a.seq < b.seq);
    }
}
