package dev.novahost.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The rate limit's per-client state stays bounded whatever the number of source addresses (issue 13,
 * item 7): idle buckets, which are full and so the same as none, are dropped, and past the cap new
 * clients share one bucket. Time is a test clock.
 */
class RateLimitStateTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final RequestLimits limits = new RequestLimits(1 << 20, 100, 1_000, now::get);

    @Test
    void a100kAddressSweepKeepsAtMostTheCapAndTheOverflowSharesOneBucket() {
        int admittedPastTheCap = 0;
        for (int i = 0; i < 100_000; i++) {
            boolean admitted = limits.admit(address(i));
            if (i < 1_000) {
                assertThat(admitted).as("a new client under the cap has its own full bucket").isTrue();
            } else if (admitted) {
                admittedPastTheCap++;
            }
        }
        assertThat(limits.clients()).isEqualTo(1_000);
        assertThat(admittedPastTheCap).as("99,000 clients past the cap share one bucket of 200").isEqualTo(200);

        now.addAndGet(2 * SECOND);
        assertThat(limits.admit("10.9.9.9")).isTrue();
        assertThat(limits.clients()).as("every idle bucket dropped, the new client's kept").isEqualTo(1);
    }

    @Test
    void aBucketStillRefillingIsKeptAndStillLimits() {
        drain("10.0.0.1");
        now.addAndGet(SECOND);
        drain("10.0.0.2");
        now.addAndGet(SECOND);
        assertThat(limits.admit("10.0.0.3")).isTrue();   // the sweep runs: 10.0.0.1 is full again, 10.0.0.2 half
        assertThat(limits.clients()).isEqualTo(2);
        int admitted = 0;
        while (limits.admit("10.0.0.2")) {
            admitted++;
        }
        assertThat(admitted).as("10.0.0.2 kept the tokens it had, not a fresh burst").isEqualTo(100);
    }

    private void drain(String client) {
        int admitted = 0;
        while (limits.admit(client)) {
            admitted++;
        }
        assertThat(admitted).as("a burst of twice the rate").isEqualTo(200);
    }

    private static String address(int i) {
        return "10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff);
    }
}
