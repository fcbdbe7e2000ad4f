package dev.novahost.config;

import dev.novahost.journal.Journaling;
import dev.novahost.kernel.machine.Kernel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * SIGTERM: once the web server has stopped taking requests and drained the ones in flight, every device
 * is unbound through the normal path (timers and work cancelled by remove(), not cut off), without
 * journaling those unbinds; the journal is then closed with the context, and the process exits.
 */
@Component
class KernelLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KernelLifecycle.class);

    private final Kernel kernel;
    private final Journaling journaling;
    private volatile boolean running;

    KernelLifecycle(Kernel kernel, Journaling journaling) {
        this.kernel = kernel;
        this.journaling = journaling;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        journaling.stopRecording();
        kernel.shutdown();
        log.info("nova-host: every device unbound; the journal keeps the state for the next start");
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the web server's graceful shutdown (which drains requests), before it is destroyed. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1536;
    }
}
