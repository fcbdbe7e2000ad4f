package dev.novahost.bench;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.events.History;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.events.TimerEvent;
import dev.novahost.kernel.pci.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * The cost of one kernel-log event, which every timer fire, cancel and unbind step pays (P3, P4, P8):
 * a timer's {@code timer.fired}, as the driver emits it, side by side in one run:
 *
 * <ul>
 *   <li>{@code strings}: the log before issue 14 ({@link StringLog}, kept here as the baseline), called
 *       as {@code DriverTimer} called it: device, object, type and message as strings, the message and
 *       the names concatenated on every event;</li>
 *   <li>{@code typed}: today's {@link EventLog}: a {@link TimerEvent.Fired} with the names the timer
 *       made once, formatted only when read;</li>
 *   <li>{@code typedAndRead}: the same, and its message read once, as the event stream does for a
 *       connected client: what laziness costs when someone reads.</li>
 * </ul>
 * Neither log has readers or observers. Run with {@code -t 1 -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EventLogBench {

    private final Clock clock = Clock.system();
    private final StringLog stringLog = new StringLog(clock, 10_000);
    private final EventLog eventLog = new EventLog(clock, 10_000);
    private final PciAddress address = PciAddress.parse("0000:01:00.0");
    private final long id = 42;
    private final String addressText = address.toString();
    private final String name = "timer " + id;

    /** Each thread's object history, as each timer has its own. */
    @State(Scope.Thread)
    public static class PerThread {
        final StringLog.History stringHistory = new StringLog.History();
        final History history = new History();
    }

    @Benchmark
    public StringLog.Line strings(PerThread mine) {
        String timer = "timer " + id;
        return stringLog.append(mine.stringHistory, address.toString(), timer, "timer.fired",
                timer + ": " + "callback entered");
    }

    @Benchmark
    public History typed(PerThread mine) {
        eventLog.emit(mine.history, new TimerEvent.Fired(addressText, name));
        return mine.history;
    }

    @Benchmark
    public String typedAndRead() {
        return eventLog.emit(new TimerEvent.Fired(addressText, name)).message();
    }

    /** The kernel log before issue 14: lines of strings, each formatted by its caller before the append. */
    public static final class StringLog {

        public record Line(long seq, long clockNs, long wallMillis, String device, String object, String type,
                           String message) {
        }

        /** The first line and the most recent ones, as {@code History} kept them. */
        static final class History {
            private static final int RECENT = 32;
            private Line first;
            private final Line[] recent = new Line[RECENT];
            private long count;

            synchronized void add(Line line) {
                if (first == null) {
                    first = line;
                } else {
                    recent[(int) (count % RECENT)] = line;
                    count++;
                }
            }
        }

        private final Clock clock;
        private final Line[] ring;
        private final List<Object> listeners = new ArrayList<>();
        private long nextSeq = 1;

        StringLog(Clock clock, int capacity) {
            this.clock = clock;
            this.ring = new Line[capacity];
        }

        Line append(History history, String device, String object, String type, String message) {
            Line line;
            synchronized (this) {
                line = new Line(nextSeq, clock.nanoTime(), System.currentTimeMillis(), device, object, type, message);
                ring[(int) (nextSeq % ring.length)] = line;
                nextSeq++;
            }
            for (var listener : listeners) {
                listener.hashCode();
            }
            history.add(line);
            return line;
        }
    }
}
