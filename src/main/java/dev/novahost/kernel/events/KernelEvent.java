package dev.novahost.kernel.events;

/**
 * One line of the kernel log: a sequence number (total order of all events), clock and wall time,
 * the device and object it concerns ({@code ""} when none), a short type ({@code timer.armed}) and
 * a kernel-style message.
 */
public record KernelEvent(long seq, long clockNs, long wallMillis, String device, String object, String type,
                          String message) {
}
