package dev.novahost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.bench.RetainedHeap;
import dev.novahost.kernel.novacore.NovaDevice;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * P9 (issue 19): under the violation storm of issue 13 the heap is flat once what the storm fills once
 * is full. The sanitizer's store (1000 groups, timelines of at most 64 events) and the kernel log's ring
 * fill during the warm-up; past it, every round frees a driver instance whose forgotten timer fires into
 * it, and two reports are counted and dropped: nothing of a round may stay reachable.
 *
 * <p>Measured twice: the freed driver instances themselves (weak references, cleared by a full collection
 * once nothing holds them; a forgotten timer kept in the object table held its whole device before the
 * orphan reap) and the retained heap after full collections, which would also see a store or a history
 * that grows without holding a device.
 */
class ViolationStormHeapTest {

    private static final int ROUNDS = 5_000;
    /**
     * What 5,000 rounds (10,000 reports) may add to the heap after warm-up: this test's weak references,
     * and whatever the suite's other threads hold at that moment (the storm alone adds 0.02 MiB). A round
     * that kept 1 KiB would add 5 MiB; the unbounded store kept 1.7 KiB a round (8.1 MiB), the orphaned
     * timers about 5 KiB.
     */
    private static final long SLACK_BYTES = 4L << 20;

    @Test
    void aStormPastWarmUpKeepsNoFreedDeviceAndTheHeapFlat() {
        try (var storm = new ViolationStorm()) {
            storm.warmUp();
            var freed = new ArrayList<WeakReference<NovaDevice>>(ROUNDS);
            long before = RetainedHeap.bytes();

            for (int i = 0; i < ROUNDS; i++) {
                freed.add(new WeakReference<>(storm.round()));
            }

            long after = RetainedHeap.bytes();
            assertThat(freed.stream().filter(ref -> ref.get() != null).count())
                    .as("freed driver instances still reachable after %d rounds (the last round's timer is reaped"
                            + " at the next unbind)", ROUNDS)
                    .isLessThanOrEqualTo(1);
            assertThat(after - before).as("heap retained by %d rounds past warm-up: %.2f MiB", ROUNDS,
                    RetainedHeap.mib(after - before)).isLessThan(SLACK_BYTES);
            assertThat(storm.kernel().sanitizer().dropped()).as("the storm's reports, dropped by the full store")
                    .isGreaterThanOrEqualTo((long) ROUNDS * ViolationStorm.REPORTS_PER_ROUND);
        }
    }
}
