package dev.novahost.access;

import dev.novahost.kernel.Errno;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Per-client limits the HTTP layer enforces before anything runs: a request body larger than the
 * limit is 413, and a client over its request rate is 429 with {@code Retry-After}; either way the
 * kernel is not called and nothing changes.
 *
 * <p>The rate is a token bucket per client address: {@code perSecond} tokens a second, bursts of twice
 * that; 0 turns the rate limit off (for load tests). Thread-safety: one bucket per address in a concurrent map, each updated under its own lock.
 */
public final class RequestLimits extends OncePerRequestFilter {

    private static final class Bucket {
        double tokens;
        long refilledAt;
    }

    private final long maxBodyBytes;
    private final double perSecond;
    private final double burst;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RequestLimits(long maxBodyBytes, int perSecond) {
        this.maxBodyBytes = maxBodyBytes;
        this.perSecond = perSecond;
        this.burst = 2.0 * perSecond;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBodyBytes) {
            ProblemWriter.write(request, response, 413, Errno.E2BIG, "The request body has "
                    + request.getContentLengthLong() + " bytes; at most " + maxBodyBytes + " are accepted");
            return;
        }
        if (perSecond > 0 && !admit(request.getRemoteAddr())) {
            response.setHeader("Retry-After", "1");
            ProblemWriter.write(request, response, 429, Errno.EAGAIN, "Too many requests from "
                    + request.getRemoteAddr() + ": at most " + (long) perSecond + " a second; try again shortly");
            return;
        }
        chain.doFilter(request, response);
    }

    private boolean admit(String client) {
        var bucket = buckets.computeIfAbsent(client, c -> {
            var fresh = new Bucket();
            fresh.tokens = burst;
            fresh.refilledAt = System.nanoTime();
            return fresh;
        });
        synchronized (bucket) {
            long now = System.nanoTime();
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.refilledAt) * perSecond / 1e9);
            bucket.refilledAt = now;
            if (bucket.tokens < 1) {
                return false;
            }
            bucket.tokens -= 1;
            return true;
        }
    }
}
