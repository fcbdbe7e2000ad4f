package dev.novahost.kernel.novacore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.ManualClock;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * nova-core's timer subdevice reads the 64-bit PTIMER as high, low, high and retries when the high
 * word moved. The clock steps on every register read, so each test places the low-word wrap exactly
 * between two particular reads.
 */
class PtimerTest {

    private static final long WRAP = 1L << 32;

    private final ManualClock clock = new ManualClock(0);
    private final Kernel kernel = new Kernel(new KernelConfig(16, true), clock);
    private final PciAddress gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();

    @Test
    void theDeviceIsBoundByAutoprobeBecauseNovaCoreIsLoaded() {
        assertThat(kernel.novaCore(gpu).chipset()).isEqualTo(Chipset.GA102);
    }

    @Test
    void aReadWithoutWrapTakesOneAttempt() {
        clock.set(0x0000_0007_1000_0000L);
        clock.stepOnEachRead(0x10);
        long readsBefore = clock.reads();

        long time = kernel.mmio().readPtimer(gpu);

        assertThat(clock.reads() - readsBefore).as("TIME_1, TIME_0, TIME_1").isEqualTo(3);
        assertThat(time).as("low word from the second read").isEqualTo(0x0000_0007_1000_0010L);
    }

    /**
     * Clock reads are one per register read: TIME_1, TIME_0, TIME_1, then the retry's three. The first
     * attempt's high words differ (0 then 1), so the value must come from the second attempt.
     */
    @ParameterizedTest(name = "start {0}, step {1}: wrap {2}")
    @CsvSource({
            "0xffffff00, 0x80, between the low read and the second high read, 0x100000100",
            "0xffffffc0, 0x80, between the first high read and the low read,  0x1000001c0",
    })
    void aLowWordWrapMidReadIsRetriedAndNeverOffByTwoToThe32(String start, String step, String where,
                                                             String expected) {
        clock.set(Long.decode(start));
        clock.stepOnEachRead(Long.decode(step));
        long readsBefore = clock.reads();
        long before = clock.peek();

        long time = kernel.mmio().readPtimer(gpu);

        long after = clock.peek();
        assertThat(clock.reads() - readsBefore).as("two hi-lo-hi attempts").isEqualTo(6);
        assertThat(time).as("high and low words from the same instant").isEqualTo(Long.decode(expected));
        assertThat(time).isBetween(before, after);
        assertThat(time).isNotEqualTo(Long.decode(expected) + WRAP).isNotEqualTo(Long.decode(expected) - WRAP);
    }

    @Test
    void aHighWordThatMovesOnEveryReadTimesOut() {
        clock.set(0x1_0000_0000L);
        clock.stepOnEachRead(WRAP);
        long readsBefore = clock.reads();

        assertThatThrownBy(() -> kernel.mmio().readPtimer(gpu))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ETIMEDOUT));
        assertThat(clock.reads() - readsBefore).as("gave up after MAX_RETRIES attempts").isEqualTo(3L * Ptimer.MAX_RETRIES);
    }

    @Test
    void manyReadsAcrossManyWrapsAreMonotonicAndConsistent() {
        // Not a divisor of 2^32: a value off by 2^32 would not be a multiple of the step.
        long step = 0x0fff_ffffL;
        clock.set(0);
        clock.stepOnEachRead(step);
        long previous = -1;

        for (int i = 0; i < 20_000; i++) {
            long before = clock.peek();
            long time = kernel.mmio().readPtimer(gpu);
            assertThat(time).isGreaterThan(previous).isBetween(before, clock.peek());
            assertThat(time % step).as("time %x is a real clock reading", time).isZero();
            previous = time;
        }
        assertThat(previous >>> 32).as("the low word wrapped many times").isGreaterThan(1_000);
    }
}
