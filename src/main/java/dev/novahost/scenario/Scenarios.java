package dev.novahost.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The built-in scenarios: one per case of the nova-core thread, then one per deadlock bug of issue 16
 * (lockdep's report from an ordering that does not hang, the hang itself reported at the virtual timeout),
 * shipped as JSON in the jar.
 */
public final class Scenarios {

    /**
     * In the order the thread meets them, then the deadlocks in the order of docs/DEADLOCKS.md, then the
     * teardowns written as data that the explorer checks.
     */
    public static final List<String> BUILT_IN = List.of(
            "timer-fires-after-unbind",
            "hrtimer-dropped-with-device-data",
            "work-self-requeues-across-remove",
            "timer-requeues-cancelled-work",
            "module-unloaded-while-callback-pending",
            "unload-with-open-file-pin",
            "unload-with-open-file-disassociate",
            "unload-with-open-file-force",
            "module-timer-touches-revoked-bar",
            "module-scope-object-outlives-unbind",
            "devres-unwind-on-failed-probe",
            "hrtimer-cancel-under-driver-lock",
            "work-cancels-itself-on-remove",
            "work-flushes-its-own-queue",
            "free-irq-under-driver-lock",
            "iounmap-before-hrtimer-cancel");

    private Scenarios() {
    }

    public static List<Scenario> all() {
        return BUILT_IN.stream().map(name -> named(name).orElseThrow()).toList();
    }

    public static Optional<Scenario> named(String name) {
        return source(name).map(Scenario::parse);
    }

    /** A built-in scenario's JSON, as the jar holds it. */
    public static Optional<String> source(String name) {
        if (!BUILT_IN.contains(name)) {
            return Optional.empty();
        }
        try (InputStream in = Scenarios.class.getResourceAsStream("/scenarios/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("built-in scenario " + name + " is missing from the jar");
            }
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
