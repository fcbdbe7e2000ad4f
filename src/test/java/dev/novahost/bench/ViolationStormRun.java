package dev.novahost.bench;

import dev.novahost.kernel.sanitizer.Violation;
import dev.novahost.kernel.sanitizer.ViolationFilter;
import dev.novahost.reliability.ViolationStorm;
import java.lang.ref.Reference;
import java.util.Locale;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 13, item 6: the retained heap of a host through a violation storm (the review's fenced +
 * {@code forgetTimerCancel} bind / arm / unbind loop, {@code rounds} rounds on virtual time), measured
 * after full collections before the storm and after it, with the store's and the counters' figures.
 *
 * <p>Arguments: {@code --rounds N} (default 100,000).
 */
public final class ViolationStormRun {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static void main(String[] args) {
        int rounds = TimerLatencyRun.intArg(args, "--rounds", 100_000);
        try (var storm = new ViolationStorm()) {
            var sanitizer = storm.kernel().sanitizer();
            storm.rounds(10); // the classes and the first groups: not what the storm costs
            long before = RetainedHeap.bytes();
            long start = System.nanoTime();
            storm.rounds(rounds);
            double seconds = (System.nanoTime() - start) / 1e9;
            long after = RetainedHeap.bytes();
            var kept = sanitizer.violations();
            System.out.printf(Locale.ROOT, "violation storm: %,d rounds (%,d reports) in %.1f s; %,d groups kept"
                            + " (%,d reports in them), %,d dropped; retained heap %.1f MiB before, %.1f MiB after"
                            + " (%+.1f MiB)%n",
                    rounds, (long) (rounds + 10) * ViolationStorm.REPORTS_PER_ROUND, seconds, kept.size(),
                    kept.stream().mapToLong(Violation::count).sum(), sanitizer.dropped(), RetainedHeap.mib(before),
                    RetainedHeap.mib(after), RetainedHeap.mib(after - before));
            var page = sanitizer.page(ViolationFilter.ALL, 0, 100);
            System.out.printf(Locale.ROOT, "a page of %d groups: %,d bytes of JSON (the kernel's records, as the API"
                    + " shapes them near enough); the whole store: %,d bytes%n", page.violations().size(),
                    JSON.writeValueAsString(page.violations()).length(), JSON.writeValueAsString(kept).length());
            Reference.reachabilityFence(kept);
        }
    }
}
