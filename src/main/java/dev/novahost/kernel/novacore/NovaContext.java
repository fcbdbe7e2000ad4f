package dev.novahost.kernel.novacore;

import dev.novahost.kernel.events.EventLog;
import dev.novahost.kernel.fault.FaultInjector;
import dev.novahost.kernel.firmware.FirmwareStore;
import dev.novahost.kernel.hungtask.HungTaskDetector;
import dev.novahost.kernel.task.Breakpoints;
import dev.novahost.kernel.sanitizer.Sanitizer;
import dev.novahost.kernel.timer.TimerEngine;
import dev.novahost.kernel.work.Workqueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What nova-core's objects share with the rest of the kernel: the engine their callbacks run on, the
 * system workqueue device work goes to, the log they write, the sanitizer they report to, the
 * host-wide id counter for timers and work items, how many of them one device may have, the lock
 * classes lockdep knows their callbacks and waits by, the hung-task detector their long waits
 * report to, the leaf waits a host reset breaks, the firmware files probe loads, and the teardown
 * points a schedule's reproducer holds the unbind at.
 */
record NovaContext(TimerEngine engine, Workqueue systemWq, EventLog log, Sanitizer sanitizer,
                   BarAccounting accounting, AtomicLong ids, ObjectLimits limits, NovaLocks locks,
                   HungTaskDetector hungTasks, StuckWaits waits, FaultInjector injector,
                   FirmwareStore firmware, Breakpoints breakpoints) {

    long nextId() {
        return ids.incrementAndGet();
    }
}
