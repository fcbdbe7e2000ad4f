package dev.novahost.kernel.novacore;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds the next run of a callback in flight, so that a test or scenario can place another step (an
 * unbind, an unload) exactly while the callback is running: the races of the nova-core thread made
 * reproducible instead of lucky.
 */
public final class CallbackHold {

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Runs on the callback's thread: pauses in {@code hold}, the one set for this run, if any. */
    static void pauseIn(CallbackHold hold) {
        if (hold != null) {
            hold.pause();
        }
    }

    /** Runs on the callback's thread: announce, then wait to be let go. */
    void pause() {
        entered.countDown();
        try {
            released.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the callback is inside the hold; false on timeout. */
    public boolean awaitEntered(long timeout, TimeUnit unit) throws InterruptedException {
        return entered.await(timeout, unit);
    }

    public void release() {
        released.countDown();
    }
}
