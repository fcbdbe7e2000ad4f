package dev.novahost.kernel.events;

/** A driver timer's life: created, armed, fired, stopped, cancelled; and the work its callback queued. */
public sealed interface TimerEvent extends KernelEvent {

    String timer();

    /** What happened to it, the log line after its name. */
    String what();

    @Override
    default String object() {
        return timer();
    }

    @Override
    default String message() {
        return timer() + ": " + what();
    }

    /**
     * Its spec, as words and numbers (not the spec itself: a line kept in a violation's timeline must not
     * keep the timer's work target, and through it a freed device, alive). {@code periodNs} is 0 for a
     * oneshot timer, {@code holdNs} 0 for a callback that takes no time.
     */
    record Created(String device, String timer, String scope, String mode, String action, long delayNs,
                   long periodNs, long holdNs) implements TimerEvent {
        public String type() {
            return "timer.created";
        }

        public String what() {
            return scope + " " + mode + " timer, " + action + ", " + delayNs + " ns"
                    + (periodNs > 0 ? ", period " + periodNs + " ns" : "")
                    + (holdNs > 0 ? ", callback takes " + holdNs + " ns" : "");
        }
    }

    record Armed(String device, String timer, long expiresNs) implements TimerEvent {
        public String type() {
            return "timer.armed";
        }

        public String what() {
            return "armed for " + expiresNs + " ns";
        }
    }

    /** {@code stopped}: it was armed or running when cancelled. */
    record Cancelled(String device, String timer, boolean stopped) implements TimerEvent {
        public String type() {
            return "timer.cancelled";
        }

        public String what() {
            return stopped ? "cancelled (hrtimer_cancel + shutdown)" : "cancelled while idle";
        }
    }

    /** The callback was entered (the metric {@code nova_timer_expirations_total} counts these). */
    record Fired(String device, String timer) implements TimerEvent {
        public String type() {
            return "timer.fired";
        }

        public String what() {
            return "callback entered";
        }
    }

    /** The callback found it must not go on (its code or its device is gone) and did not re-arm. */
    record Stopped(String device, String timer) implements TimerEvent {
        public String type() {
            return "timer.stopped";
        }

        public String what() {
            return "callback stopped";
        }
    }

    record QueuedWork(String device, String timer, String work) implements TimerEvent {
        public String type() {
            return "timer.queued-work";
        }

        public String what() {
            return "queued " + work;
        }
    }
}
