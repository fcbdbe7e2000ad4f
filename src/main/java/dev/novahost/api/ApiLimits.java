package dev.novahost.api;

/**
 * Limits the HTTP layer enforces before it calls the kernel.
 *
 * @param maxRangeRead      registers one range read may return
 * @param maxSubscribers    concurrent event-stream subscribers
 * @param subscriberBacklog events queued for one slow subscriber before it is dropped
 */
public record ApiLimits(int maxRangeRead, int maxSubscribers, int subscriberBacklog) {
}
