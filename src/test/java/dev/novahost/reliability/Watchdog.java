package dev.novahost.reliability;

import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Runs a test body on a thread of its own and fails the test, with the stack of every thread in the
 * JVM, when the body outlives its bound or stops making progress: a hung stress run is a failure with
 * the evidence in its message, not a build that never ends.
 *
 * <p>Progress is a counter the body advances (operations done); "stalled" means it has not moved for
 * {@code stall}. The body's thread is interrupted on the way out, but nothing waits for it.
 */
final class Watchdog {

    /** Stack frames kept per thread in the dump: enough to see where it waits. */
    private static final int FRAMES = 48;

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    private Watchdog() {
    }

    static void guard(String what, Duration bound, Duration stall, LongSupplier progress, Body body) throws Exception {
        var runner = Executors.newSingleThreadExecutor(r -> {
            var thread = new Thread(r, "watched: " + what);
            thread.setDaemon(true);
            return thread;
        });
        try {
            var run = runner.submit(() -> {
                body.run();
                return null;
            });
            long start = System.nanoTime();
            long lastProgress = progress.getAsLong();
            long lastMove = start;
            while (true) {
                try {
                    run.get(200, TimeUnit.MILLISECONDS);
                    return;
                } catch (ExecutionException failed) {
                    throw failed.getCause() instanceof Exception e ? e : new RuntimeException(failed.getCause());
                } catch (TimeoutException notYet) {
                    long now = System.nanoTime();
                    long done = progress.getAsLong();
                    if (done != lastProgress) {
                        lastProgress = done;
                        lastMove = now;
                    }
                    String stuck = now - start > bound.toNanos() ? "did not finish within " + bound
                            : now - lastMove > stall.toNanos() ? "made no progress for " + stall + " (at " + done + ")"
                            : null;
                    if (stuck != null) {
                        String dump = dumpAllStacks();
                        run.cancel(true);
                        throw new AssertionError(what + " " + stuck + "; every thread's stack:\n" + dump);
                    }
                }
            }
        } finally {
            runner.shutdownNow();
        }
    }

    /** {@code jstack} from inside: every live thread, its state, and its innermost frames. */
    static String dumpAllStacks() {
        return Thread.getAllStackTraces().entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<Thread, StackTraceElement[]> e) -> e.getKey().getName()))
                .map(e -> "\"" + e.getKey().getName() + "\" " + e.getKey().getState() + "\n"
                        + Arrays.stream(e.getValue()).limit(FRAMES).map(f -> "    at " + f)
                        .collect(Collectors.joining("\n")))
                .collect(Collectors.joining("\n\n"));
    }
}
