package dev.novahost.bench;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.History;
import dev.novahost.kernel.events.KernelEvent;
import dev.novahost.kernel.pci.PciAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one kernel-log event, which every timer fire, cancel and unbind step pays (P3, P4, P8),
 * and of the two changes docs/BENCHMARKS.md proposes for it:
 *
 * <ul>
 *   <li>{@code today}: {@code EventLog.append(history, ...)} with the device string made as
 *       {@code NovaDevice.address()} makes it, {@code PciAddress.toString()} ({@code String.format});</li>
 *   <li>{@code cachedAddress}: the same append with the address string made once per device;</li>
 *   <li>{@code lockFreeRing}: a prototype of the ring without the monitor (sequence from an atomic
 *       counter, slot published with a release store), cached address too.</li>
 * </ul>
 * Run with {@code -t 1} and {@code -t 2}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventLogBench {

    private static final String MESSAGE = "timer 42: callback entered";

    private final Clock clock = Clock.system();
    private final EventLog log = new EventLog(clock, 10_000);
    private final PrototypeRing ring = new PrototypeRing(clock, 10_000);
    private final PciAddress address = PciAddress.parse("0000:01:00.0");
    private final String addressText = address.toString();

    /** Each thread's object history, as each timer has its own. */
    @State(Scope.Thread)
    public static class PerThread {
        final History history = new History();
    }

    @Benchmark
    public KernelEvent today(PerThread mine) {
        return log.append(mine.history, address.toString(), "timer 42", "timer.fired", MESSAGE);
    }

    @Benchmark
    public KernelEvent cachedAddress(PerThread mine) {
        return log.append(mine.history, addressText, "timer 42", "timer.fired", MESSAGE);
    }

    @Benchmark
    public KernelEvent lockFreeRing(PerThread mine) {
        var event = ring.append(addressText, "timer 42", "timer.fired", MESSAGE);
        mine.history.add(event);
        return event;
    }

    /**
     * The proposed ring: the sequence number is taken from an atomic counter and the event is built and
     * stored outside any lock; a reader of slot {@code seq % capacity} checks the event's own sequence,
     * so it skips a slot that a concurrent append has not filled yet or has already overwritten.
     */
    static final class PrototypeRing {
        private final Clock clock;
        private final AtomicLong nextSeq = new AtomicLong(1);
        private final AtomicReferenceArray<KernelEvent> ring;

        PrototypeRing(Clock clock, int capacity) {
            this.clock = clock;
            this.ring = new AtomicReferenceArray<>(capacity);
        }

        KernelEvent append(String device, String object, String type, String message) {
            long seq = nextSeq.getAndIncrement();
            var event = new KernelEvent(seq, clock.nanoTime(), System.currentTimeMillis(), device, object, type,
                    message);
            ring.setRelease((int) (seq % ring.length()), event);
            return event;
        }
    }
}
