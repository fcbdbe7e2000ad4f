package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;
import java.util.function.IntSupplier;

/**
 * {@code read_poll_timeout()}: reads a register until its value satisfies a condition, sleeping
 * between reads, and gives up with {@code ETIMEDOUT} once the timeout has passed. The deadline is on
 * the kernel's clock: on real time the thread sleeps; on virtual time nothing would ever move the clock,
 * so the poll moves it itself ({@link TimerEngine#advanceTo}, running what falls due on the way) and a
 * timed-out poll ends exactly at its deadline. On real time a clock that does not move (a test's manual
 * clock) would keep the poll forever: it also ends, the same way, once as much real time has passed.
 */
final class ReadPoll {

    private ReadPoll() {
    }

    /** The first value {@code read} returns that satisfies {@code done}; {@code ETIMEDOUT} ({@code what} says of what) after {@code timeoutNs}. */
    static int readPollTimeout(TimerEngine engine, IntSupplier read, IntPredicate done, long sleepNs, long timeoutNs,
                               String what) {
        var clock = engine.clock();
        long deadline = clock.nanoTime() + timeoutNs;
        long realDeadline = System.nanoTime() + timeoutNs;
        while (true) {
            int value = read.getAsInt();
            if (done.test(value)) {
                return value;
            }
            long now = clock.nanoTime();
            if (now >= deadline || !engine.isVirtual() && System.nanoTime() - realDeadline >= 0) {
                throw KernelException.of(Errno.ETIMEDOUT, what + " not done after " + timeoutNs / 1000 + " us (last read 0x"
                        + Integer.toHexString(value) + ")");
            }
            long next = Math.min(now + sleepNs, deadline);
            if (engine.isVirtual()) {
                engine.advanceTo(next);
            } else {
                LockSupport.parkNanos(next - now);
            }
        }
    }
}
