package dev.novahost.kernel.events;

/** A driver work item's life: created, queued (now or delayed), run, cancelled, disabled. */
public sealed interface WorkEvent extends KernelEvent {

    String work();

    /** What happened to it, the log line after its name. */
    String what();

    @Override
    default String object() {
        return work();
    }

    @Override
    default String message() {
        return work() + ": " + what();
    }

    /** Its spec, as words and numbers, on workqueue {@code queue}; {@code holdNs} 0 for a run that takes no time. */
    record Created(String device, String work, String scope, String queue, String action, long delayNs,
                   long requeue, long holdNs) implements WorkEvent {
        public String type() {
            return "work.created";
        }

        public String what() {
            return scope + " work on " + queue + ", " + action + ", delay " + delayNs + " ns, requeue " + requeue
                    + (holdNs > 0 ? ", each run takes " + holdNs + " ns" : "");
        }
    }

    record Delayed(String device, String work, long delayNs) implements WorkEvent {
        public String type() {
            return "work.delayed";
        }

        public String what() {
            return "queued with a delay of " + delayNs + " ns";
        }
    }

    record Queued(String device, String work) implements WorkEvent {
        public String type() {
            return "work.queued";
        }

        public String what() {
            return "queued";
        }
    }

    /** {@code cancel_work_sync}; {@code stopped}: it was pending or running. */
    record Cancelled(String device, String work, boolean stopped) implements WorkEvent {
        public String type() {
            return "work.cancelled";
        }

        public String what() {
            return stopped ? "cancel_work_sync stopped it" : "cancel_work_sync found it idle";
        }
    }

    record Disabled(String device, String work) implements WorkEvent {
        public String type() {
            return "work.disabled";
        }

        public String what() {
            return "disabled for good";
        }
    }

    /** The work function was entered (the metric {@code nova_work_executions_total} counts these). */
    record Running(String device, String work) implements WorkEvent {
        public String type() {
            return "work.running";
        }

        public String what() {
            return "work function entered";
        }
    }

    record Stopped(String device, String work) implements WorkEvent {
        public String type() {
            return "work.stopped";
        }

        public String what() {
            return "work function stopped";
        }
    }

    /** Its delay timer fired after its workqueue was destroyed. */
    record DeadQueue(String device, String work, String queue) implements WorkEvent {
        public String type() {
            return "work.dead-queue";
        }

        public String what() {
            return "delayed work timer fired onto destroyed workqueue " + queue;
        }
    }
}
