package dev.novahost.bench;

import dev.novahost.kernel.sanitizer.Violation;
import dev.novahost.kernel.sanitizer.ViolationFilter;
import dev.novahost.reliability.ViolationStorm;
import java.lang.ref.Reference;
import java.util.Locale;
import tools.jackson.databind.json.JsonMapper;

/**
 * P9 (issue 19; issue 13, item 6): the retained heap of a host through a violation storm (the review's
 * fenced + {@code forgetTimerCancel} bind / arm / unbind loop on virtual time), measured after full
 * collections at the end of the warm-up (the sanitizer's store full, then the kernel log's ring turned
 * over) and at each quarter of {@code rounds} rounds after it, with the store's and the counters' figures.
 * The target: flat after warm-up, at most 64 MiB over it.
 *
 * <p>Arguments: {@code --rounds N} (default 100,000).
 */
public final class ViolationStormRun {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long TARGET_BYTES = 64L << 20;
    private static final int CHECKPOINTS = 4;

    public static void main(String[] args) {
        int rounds = TimerLatencyRun.intArg(args, "--rounds", 100_000);
        try (var storm = new ViolationStorm()) {
            var sanitizer = storm.kernel().sanitizer();
            long empty = RetainedHeap.bytes();
            int warmUp = storm.warmUp();
            long warm = RetainedHeap.bytes();
            System.out.printf(Locale.ROOT, "warm-up: %,d rounds (store full, then the log ring turned over);"
                    + " retained heap %.1f MiB (%.1f MiB before it)%n", warmUp, RetainedHeap.mib(warm),
                    RetainedHeap.mib(empty));
            long start = System.nanoTime();
            long most = Long.MIN_VALUE;
            for (int checkpoint = 1; checkpoint <= CHECKPOINTS; checkpoint++) {
                storm.rounds(rounds / CHECKPOINTS);
                long now = RetainedHeap.bytes();
                most = Math.max(most, now - warm);
                System.out.printf(Locale.ROOT, "  + %,d rounds: %.1f MiB (%+.2f MiB over warm-up)%n",
                        (long) rounds / CHECKPOINTS * checkpoint, RetainedHeap.mib(now), RetainedHeap.mib(now - warm));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            var kept = sanitizer.violations();
            long total = (long) (warmUp + rounds / CHECKPOINTS * CHECKPOINTS) * ViolationStorm.REPORTS_PER_ROUND;
            System.out.printf(Locale.ROOT, "P9 violation storm: %,d rounds past warm-up in %.1f s, %,d reports in all;"
                            + " %,d groups kept (%,d reports in them), %,d dropped; most retained over warm-up"
                            + " %+.2f MiB (target <= 64 MiB: %s)%n",
                    rounds / CHECKPOINTS * CHECKPOINTS, seconds, total, kept.size(),
                    kept.stream().mapToLong(Violation::count).sum(), sanitizer.dropped(), RetainedHeap.mib(most),
                    most <= TARGET_BYTES ? "met" : "not met");
            var page = sanitizer.page(ViolationFilter.ALL, 0, 100);
            System.out.printf(Locale.ROOT, "a page of %d groups: %,d bytes of JSON (the kernel's records, as the API"
                    + " shapes them near enough); the whole store: %,d bytes%n", page.violations().size(),
                    JSON.writeValueAsString(page.violations()).length(), JSON.writeValueAsString(kept).length());
            Reference.reachabilityFence(kept);
        }
    }
}
