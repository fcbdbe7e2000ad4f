package dev.novahost.kernel.events;

/** The sanitizer's lines: a violation seen, and what it did not keep or log. */
public sealed interface ViolationEvent extends KernelEvent {

    /**
     * A lifecycle violation, by its kind's wire word; {@code occurred} false when the policy prevented
     * it. (The kind is a word, not the sanitizer's enum, so that this package does not depend on it.)
     */
    record Reported(String device, String object, String kind, boolean occurred, String summary, String detail)
            implements ViolationEvent {
        public String type() {
            return "violation." + kind;
        }

        public String message() {
            return (occurred ? "BUG: " : "prevented: ") + summary + ": " + detail;
        }
    }

    /** The violation store reached its bound: new groups are counted, not kept, until a reset. */
    record StoreFull(int capacity) implements ViolationEvent {
        public String type() {
            return "violation.store-full";
        }

        public String device() {
            return "";
        }

        public String message() {
            return "sanitizer: " + capacity + " violation groups kept; reports of new groups are counted but not"
                    + " kept until the host is reset";
        }
    }

    /** Reports over the log's rate limit in the last window: counted, not logged. */
    record RateLimited(long suppressed) implements ViolationEvent {
        public String type() {
            return "violation.ratelimited";
        }

        public String device() {
            return "";
        }

        public String message() {
            return suppressed + " violation reports suppressed";
        }
    }
}
