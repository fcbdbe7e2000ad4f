package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.events.EventLog;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live subscribers of the kernel log: at most the configured number, and all of them ended first
 * when the service stops, so that a graceful shutdown does not wait for streams that never end.
 */
@Component
class EventStreams implements SmartLifecycle {

    private final EventLog log;
    private final ApiLimits limits;
    private final Set<SseEmitter> live = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    EventStreams(EventLog log, ApiLimits limits) {
        this.log = log;
        this.limits = limits;
    }

    /** A new subscriber after {@code lastEventId}; {@code EUSERS} past the limit. */
    SseEmitter subscribe(long lastEventId, String device) {
        var emitter = new SseEmitter(0L);
        synchronized (live) {
            if (live.size() >= limits.maxSubscribers()) {
                throw KernelException.of(Errno.EUSERS, "The event stream already has " + limits.maxSubscribers()
                        + " subscribers, its configured limit");
            }
            live.add(emitter);
        }
        new EventStream(log, emitter, lastEventId, device, limits.subscriberBacklog(),
                limits.subscriberHeartbeat()).start(() -> live.remove(emitter));
        return emitter;
    }

    /** The subscribers now streaming. */
    int subscribers() {
        return live.size();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        live.forEach(SseEmitter::complete);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server's graceful shutdown, which would otherwise wait for these streams. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
