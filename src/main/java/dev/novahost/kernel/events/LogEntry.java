package dev.novahost.kernel.events;

/**
 * One line of the kernel log ({@code dmesg}): an event with its sequence number (the total order of
 * all lines), its clock time and its wall time.
 */
public record LogEntry(long seq, long clockNs, long wallMillis, KernelEvent event) {

    public String type() {
        return event.type();
    }

    public String device() {
        return event.device();
    }

    public String object() {
        return event.object();
    }

    public String message() {
        return event.message();
    }
}
