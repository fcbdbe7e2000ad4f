package dev.novahost.kernel.events;

/** A blocked wait of the model (a lock, a callback blocked until released, a task waiting for itself). */
public sealed interface WaitEvent extends KernelEvent {

    /**
     * The host broke a wait that only it could end (a reset, a shutdown): the waiter gave up, and its
     * callback returned without doing its action, so that whatever waited for it can finish.
     */
    record Aborted(String device, String task, String waitingFor, String why) implements WaitEvent {
        public String type() {
            return "wait.aborted";
        }

        @Override
        public String object() {
            return task;
        }

        public String message() {
            return task + ": wait for " + waitingFor + " aborted by " + why;
        }
    }
}
