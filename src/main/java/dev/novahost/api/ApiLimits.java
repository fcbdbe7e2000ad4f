package dev.novahost.api;

import java.time.Duration;

/**
 * Limits the HTTP layer enforces before it calls the kernel.
 *
 * @param maxRangeRead      registers one range read may return
 * @param maxSubscribers    concurrent event-stream subscribers
 * @param subscriberBacklog events queued for one slow subscriber before it is dropped
 * @param subscriberHeartbeat how long a quiet stream waits before a keep-alive comment, which is also
 *                          how a subscriber that left is noticed (the Servlet API never says so)
 */
public record ApiLimits(int maxRangeRead, int maxSubscribers, int subscriberBacklog, Duration subscriberHeartbeat) {
}
