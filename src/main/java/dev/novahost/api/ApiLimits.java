package dev.novahost.api;

/** Limits the HTTP layer enforces before it calls the kernel. */
public record ApiLimits(int maxRangeRead) {
}
