package dev.novahost.access;

import dev.novahost.kernel.Errno;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Per-client limits the HTTP layer enforces before anything runs, on every request: a request body
 * larger than the limit is 413, and a client over its request rate is 429 with {@code Retry-After};
 * either way the kernel is not called and nothing changes.
 *
 * <p>The rate is a token bucket per client address: {@code perSecond} tokens a second, bursts of twice
 * that; 0 turns the rate limit off (for load tests). A bucket left alone refills in
 * 2 s, and a full bucket is the same as no bucket, so full ones are dropped: a sweep
 * at most every 2 s, run by the request that finds it due, removes them. The map holds at
 * most {@code maxClients} buckets (plus one per request racing past the check): a client that finds it
 * full shares one overflow bucket with every other such client until a sweep makes room. So the state is
 * bounded whatever the number of source addresses, and an attacker with many addresses is limited as
 * one client rather than given fresh bursts (nginx's {@code limit_req} evicts the least recently used
 * instead, which hands an evicted address a full bucket).
 *
 * <p>Thread-safety: buckets live in a concurrent map, each updated under its own lock. The sweep removes a
 * bucket under that lock and marks it evicted, so a request that fetched it just before retries with a
 * fresh one and no token is counted in a bucket nobody sees.
 */
public final class RequestLimits extends OncePerRequestFilter {

    /** Buckets kept at most: about 1.4 MB of state (docs/RELIABILITY.md, issue 13 item 7). */
    public static final int MAX_CLIENTS = 10_000;

    /** An empty bucket refills in burst / perSecond = 2 s: after that, an idle bucket is full. */
    private static final long REFILL_NS = 2_000_000_000L;

    private static final class Bucket {
        double tokens;
        long refilledAt;
        boolean evicted;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }
    }

    private final long maxBodyBytes;
    private final double perSecond;
    private final double burst;
    private final int maxClients;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Bucket overflow;
    private final AtomicLong sweptAt;

    public RequestLimits(long maxBodyBytes, int perSecond) {
        this(maxBodyBytes, perSecond, MAX_CLIENTS, System::nanoTime);
    }

    /** {@code nanoTime}: the clock, a test's own to move. */
    public RequestLimits(long maxBodyBytes, int perSecond, int maxClients, LongSupplier nanoTime) {
        this.maxBodyBytes = maxBodyBytes;
        this.perSecond = perSecond;
        this.burst = 2.0 * perSecond;
        this.maxClients = maxClients;
        this.nanoTime = nanoTime;
        long now = nanoTime.getAsLong();
        this.overflow = new Bucket(burst, now);
        this.sweptAt = new AtomicLong(now);
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

    /** Takes a token from the client's bucket; false when it has none left. */
    boolean admit(String client) {
        long now = nanoTime.getAsLong();
        sweepIfDue(now);
        while (true) {
            var bucket = buckets.get(client);
            if (bucket == null) {
                bucket = buckets.size() < maxClients ? buckets.computeIfAbsent(client, c -> new Bucket(burst, now)) : overflow;
            }
            synchronized (bucket) {
                if (bucket.evicted) {
                    continue;
                }
                refill(bucket, now);
                if (bucket.tokens < 1) {
                    return false;
                }
                bucket.tokens -= 1;
                return true;
            }
        }
    }

    /** Buckets held now (a test's and the docs' figure). */
    int clients() {
        return buckets.size();
    }

    private void refill(Bucket bucket, long now) {
        bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, now - bucket.refilledAt) * perSecond / 1e9);
        bucket.refilledAt = now;
    }

    /** At most once per refill time, by whichever request finds it due: drops the buckets that are full. */
    private void sweepIfDue(long now) {
        long last = sweptAt.get();
        if (now - last < REFILL_NS || !sweptAt.compareAndSet(last, now)) {
            return;
        }
        for (var entry : buckets.entrySet()) {
            var bucket = entry.getValue();
            synchronized (bucket) {
                refill(bucket, now);
                if (bucket.tokens >= burst) {
                    bucket.evicted = true;
                    buckets.remove(entry.getKey(), bucket);
                }
            }
        }
    }
}
