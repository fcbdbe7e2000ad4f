package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The storm of the kill -9 tests: one client changes the service, one request at a time, until the
 * service is killed under it. It keeps what the client was told, as a model {@code S} of the service:
 * the state after the last acknowledged change, and the state had the request in flight at the kill
 * happened (never acknowledged, so it may or may not have). A restart must find one of the two.
 *
 * <p>Thread-safety: the storm runs on its own thread; the test thread reads the volatile fields once
 * it has joined it, or polls the count of acknowledgements while it runs.
 */
abstract class CrashStorm<S> implements Runnable {

    /** One request on the wire: the status it was answered with. */
    @FunctionalInterface
    interface Exchange {
        int status() throws IOException, InterruptedException;
    }

    private volatile S acknowledged;
    private volatile S inFlight;
    private volatile String inFlightRequest = "none";
    private volatile AssertionError failure;
    private final AtomicInteger acknowledgements = new AtomicInteger();

    CrashStorm(S start) {
        this.acknowledged = start;
        this.inFlight = start;
    }

    /** Makes one change from {@link #acknowledged()}, through {@link #request}. */
    abstract void change() throws IOException, InterruptedException;

    @Override
    public final void run() {
        try {
            while (true) {
                change();
            }
        } catch (IOException | InterruptedException killed) {
            // the service is gone: what was in flight stays unknown
        } catch (AssertionError wrongAnswer) {
            failure = wrongAnswer;
        }
    }

    /**
     * Sends {@code request} (as the failure and the final assertion name it), which takes the service to
     * {@code after} once it is answered {@code expected}; a wrong answer ends the storm.
     */
    final void request(S after, String request, Exchange exchange, int expected)
            throws IOException, InterruptedException {
        inFlight = after;
        inFlightRequest = request;
        int status = exchange.status();
        if (status != expected) {
            throw new AssertionError(request + " answered " + status + ", expected " + expected);
        }
        acknowledged = after;
        acknowledgements.incrementAndGet();
    }

    /**
     * Runs the storm on a thread named {@code thread} until {@code killAfter} acknowledgements, kills
     * {@code service} with SIGKILL and waits for the storm to end with it; fails on a wrong answer.
     */
    final void killAfter(int killAfter, Process service, String thread) throws InterruptedException {
        var client = Thread.ofPlatform().name(thread).start(this);
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledgements.get() >= killAfter || failure != null);
        service.destroyForcibly().waitFor();
        client.join();
        assertThat(failure).as("an answer during the storm").isNull();
    }

    final int acknowledgements() {
        return acknowledgements.get();
    }

    final S acknowledged() {
        return acknowledged;
    }

    final S acknowledgedWithInFlight() {
        return inFlight;
    }

    /** The request in flight, as the assertion after the restart names it. */
    final String inFlight() {
        return inFlightRequest;
    }
}
