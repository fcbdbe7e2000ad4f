package dev.novahost.bench;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.ObjectLimits;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.pci.PciAddress;
import java.lang.ref.Reference;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * P6: the retained heap of a host with {@code devices} bound GA102s and {@code timers} armed timers on
 * each, against an empty host (nova-core loaded, no device), both measured after full collections.
 *
 * <p>Arguments: {@code --devices N --timers T} (defaults 1000, 10).
 */
public final class HeapRun {

    private static final DriverTimer.Spec TIMER = new DriverTimer.Spec(TimerMode.PERIODIC,
            TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1), Scope.DEVICE, Action.READ_PTIMER,
            Optional.empty());

    public static void main(String[] args) {
        int devices = TimerLatencyRun.intArg(args, "--devices", 1000);
        int timers = TimerLatencyRun.intArg(args, "--timers", 10);
        long before = RetainedHeap.bytes();
        try (var host = new BenchHost(devices, ObjectLimits.DEFAULTS)) {
            long empty = RetainedHeap.bytes();
            for (int d = 0; d < devices; d++) {
                var gpu = host.boundGpu(Policy.REVOCABLE, Optional.of(new PciAddress(0, 1 + d / 32, d % 32, 0)));
                for (int t = 0; t < timers; t++) {
                    host.kernel.armTimer(gpu, TIMER);
                }
            }
            long full = RetainedHeap.bytes();
            System.out.printf(Locale.ROOT, "P6 heap: empty host %.1f MiB (JVM before it %.1f MiB);"
                            + " %d devices x %d timers %.1f MiB; difference %.1f MiB (%.1f KiB per device)%n",
                    RetainedHeap.mib(empty), RetainedHeap.mib(before), devices, timers, RetainedHeap.mib(full), RetainedHeap.mib(full - empty),
                    (full - empty) / 1024.0 / devices);
            Reference.reachabilityFence(host);
        }
    }
}
