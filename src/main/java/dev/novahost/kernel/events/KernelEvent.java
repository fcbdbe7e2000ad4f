package dev.novahost.kernel.events;

/**
 * Something the kernel did, as a type: the one vocabulary the kernel log, the sanitizer's timelines,
 * metrics, the event stream, the journal and scenario results share. Subscribers match on the record
 * types; the wire word ({@link #type()}) and the kernel-style line ({@link #message()}) exist for
 * readers and are only built when someone reads them, so an event nobody reads costs one small object.
 *
 * <p>Wire words are part of the API (the console, scripts and stored scenario results filter on them):
 * each is spelled once, in the record that owns it, and never changes.
 */
public sealed interface KernelEvent
        permits DeviceEvent, ModuleEvent, DriverEvent, DevresEvent, TimerEvent, WorkEvent, FileEvent, IrqEvent,
        HostEvent, JournalEvent, LockdepEvent, TaskEvent, ViolationEvent, HungTaskEvent, WaitEvent, FaultEvent {

    /** The wire word: subsystem, dot, what happened ({@code timer.fired}). */
    String type();

    /** The address of the device it concerns; {@code ""} when none. */
    String device();

    /** The name of the object it concerns (a timer, a work item, a file); {@code ""} when none. */
    default String object() {
        return "";
    }

    /** The kernel-style log line. */
    String message();

    /**
     * Whether it is a line of the kernel log. An event that only observers need (the driver core's own
     * record of a bind, which the driver logs in its words) is not: the log would say it twice.
     */
    default boolean logged() {
        return true;
    }
}
