package dev.novahost.kernel.machine;

import dev.novahost.kernel.hungtask.HungTaskDetector;
import dev.novahost.kernel.novacore.ObjectLimits;
import dev.novahost.kernel.task.TaskLimits;

/**
 * How a kernel is built.
 *
 * @param maxDevices        devices the bus accepts before {@code ENOSPC}
 * @param loadNovaCore      whether nova-core is loaded at boot (otherwise it waits for {@code insmod})
 * @param timerThreads      threads serving the timer engine on real time
 * @param eventLogCapacity  events the kernel log keeps before the oldest fall out
 * @param objectLimits      timers, work items and files one device may have
 * @param taskLimits        tasks kept and tasks running at once
 * @param lockdep           whether the lock validator watches the model's locks and waits
 *                          ({@code CONFIG_PROVE_LOCKING}; off only to measure what it costs)
 * @param hungTask          the hung-task detector's timeout, warnings limit and panic
 */
public record KernelConfig(int maxDevices, boolean loadNovaCore, int timerThreads, int eventLogCapacity,
                           ObjectLimits objectLimits, TaskLimits taskLimits, boolean lockdep,
                           HungTaskDetector.Settings hungTask) {

    public static final KernelConfig DEFAULTS = new KernelConfig(256, false, 2, 10_000, ObjectLimits.DEFAULTS,
            TaskLimits.DEFAULTS, true, HungTaskDetector.Settings.DEFAULTS);

    public KernelConfig(int maxDevices, boolean loadNovaCore, int timerThreads, int eventLogCapacity,
                        ObjectLimits objectLimits, TaskLimits taskLimits, boolean lockdep) {
        this(maxDevices, loadNovaCore, timerThreads, eventLogCapacity, objectLimits, taskLimits, lockdep,
                HungTaskDetector.Settings.DEFAULTS);
    }

    public KernelConfig(int maxDevices, boolean loadNovaCore, int timerThreads, int eventLogCapacity,
                        ObjectLimits objectLimits, TaskLimits taskLimits) {
        this(maxDevices, loadNovaCore, timerThreads, eventLogCapacity, objectLimits, taskLimits, true);
    }

    public KernelConfig(int maxDevices, boolean loadNovaCore, int timerThreads, int eventLogCapacity,
                        ObjectLimits objectLimits) {
        this(maxDevices, loadNovaCore, timerThreads, eventLogCapacity, objectLimits, TaskLimits.DEFAULTS);
    }

    public KernelConfig(int maxDevices, boolean loadNovaCore, int timerThreads, int eventLogCapacity) {
        this(maxDevices, loadNovaCore, timerThreads, eventLogCapacity, ObjectLimits.DEFAULTS);
    }

    public KernelConfig {
        if (maxDevices < 1 || timerThreads < 1 || eventLogCapacity < 16) {
            throw new IllegalArgumentException("maxDevices and timerThreads must be at least 1 and the event log"
                    + " must hold at least 16 events: " + maxDevices + ", " + timerThreads + ", " + eventLogCapacity);
        }
    }

    /** The defaults with this many devices and nova-core loaded or not. */
    public KernelConfig(int maxDevices, boolean loadNovaCore) {
        this(maxDevices, loadNovaCore, DEFAULTS.timerThreads(), DEFAULTS.eventLogCapacity());
    }
}
