package dev.novahost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.Sanitizer;
import dev.novahost.kernel.sanitizer.Violation;
import dev.novahost.kernel.sanitizer.ViolationFilter;
import dev.novahost.kernel.sanitizer.ViolationKind;
import dev.novahost.metrics.KernelMeters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 6: a storm of violations (the review's bind / arm / unbind loop, thousands of rounds)
 * leaves the sanitizer's store at its bound with an exact count of what it dropped, every report in the
 * Prometheus counters, the first groups (the ones that explain the rest) kept, and a page small.
 */
class ViolationStormTest {

    private static final int ROUNDS = 5_000;

    private final ViolationStorm storm = new ViolationStorm();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @AfterEach
    void shutDown() {
        storm.close();
    }

    @Test
    void aStormKeepsTheStoreAtItsBoundAndCountsEveryReport() {
        new KernelMeters(storm.kernel()).bindTo(metrics);
        var sanitizer = storm.kernel().sanitizer();
        var storeFull = new AtomicInteger();
        storm.kernel().log().subscribe(e -> {
            if (e.type().equals("violation.store-full")) {
                storeFull.incrementAndGet();
            }
        });

        storm.rounds(ROUNDS);

        long reports = (long) ROUNDS * ViolationStorm.REPORTS_PER_ROUND;
        var kept = sanitizer.violations();
        assertThat(kept).as("the store at its bound").hasSize(Sanitizer.DEFAULT_CAPACITY);
        assertThat(sanitizer.dropped()).as("what it could not keep, counted exactly")
                .isEqualTo(reports - Sanitizer.DEFAULT_CAPACITY);
        assertThat(kept.stream().mapToLong(Violation::count).sum() + sanitizer.dropped()).isEqualTo(reports);
        assertThat(counted(ViolationKind.TIMER_FREE_ACTIVE) + counted(ViolationKind.TIMER_AFTER_REMOVE))
                .as("the Prometheus counters count every report, dropped or kept").isEqualTo(reports);
        assertThat(counted(ViolationKind.TIMER_AFTER_REMOVE)).isEqualTo(ROUNDS);
        assertThat(metrics.get("nova.violations.dropped").functionCounter().count())
                .isEqualTo(reports - Sanitizer.DEFAULT_CAPACITY);
        assertThat(kept.getFirst().object()).as("the first group is kept").isEqualTo("timer 1");
        assertThat(kept).allSatisfy(v -> assertThat(v.timeline()).isNotEmpty()
                .hasSizeLessThanOrEqualTo(Sanitizer.TIMELINE_LIMIT));
        assertThat(storeFull).as("the log says once that the store is full").hasValue(1);

        assertThat(storm.kernel().novaCoreObjects().table().timers())
                .as("the forgotten timers leave the object table once they ended: no freed device is kept alive")
                .hasSizeLessThanOrEqualTo(1);

        var page = sanitizer.page(ViolationFilter.ALL, 0, 100);
        assertThat(page.violations()).hasSize(100);
        assertThat(page.more()).isTrue();
        assertThat(page.total()).isEqualTo(Sanitizer.DEFAULT_CAPACITY);
        var last = sanitizer.page(ViolationFilter.ALL, kept.get(kept.size() - 3).id(), 100);
        assertThat(last.violations()).hasSize(2);
        assertThat(last.more()).isFalse();
    }

    @Test
    void aResetEmptiesTheStoreButNotTheCounters() {
        new KernelMeters(storm.kernel()).bindTo(metrics);
        var sanitizer = storm.kernel().sanitizer();
        storm.rounds(Sanitizer.DEFAULT_CAPACITY);

        sanitizer.clear();
        storm.rounds(1);

        assertThat(sanitizer.violations()).as("new groups are kept again").hasSize(2);
        assertThat(sanitizer.dropped()).isZero();
        assertThat(metrics.get("nova.violations.dropped").functionCounter().count()).isEqualTo(Sanitizer.DEFAULT_CAPACITY);
        assertThat(counted(ViolationKind.TIMER_AFTER_REMOVE)).isEqualTo(Sanitizer.DEFAULT_CAPACITY + 1);
    }

    private double counted(ViolationKind kind) {
        return metrics.get("nova.lifecycle.violations").tag("kind", kind.wireName())
                .tag("outcome", "occurred").tag("policy", "fenced").functionCounters().stream()
                .mapToDouble(FunctionCounter::count).sum();
    }
}
