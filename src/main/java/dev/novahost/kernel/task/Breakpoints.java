package dev.novahost.kernel.task;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Named points of the teardown at which a task can be held, so that a schedule explorer's reproducer
 * can place a callback between two steps of an unbind exactly (as a {@code CallbackHold} places an
 * unbind while a callback is in flight). A point is named by the device and the step about to run:
 * {@code 0000:01:00.0 remove:pci_iounmap}, {@code 0000:01:00.0 devres:driver data}.
 *
 * <p>Thread-safety: the teardown task calls {@link #reach}; any thread arms and releases holds. Nothing
 * armed costs one map lookup per teardown step.
 */
public final class Breakpoints {

    private final Map<String, Hold> armed = new ConcurrentHashMap<>();
    /** Where every point reached is written while a schedule explorer maps a teardown; null otherwise. */
    private volatile Consumer<String> recorder;

    /** The point a device's teardown step is: {@code 0000:01:00.0 remove:pci_iounmap}. */
    public static String point(String device, String step) {
        return device + " " + step;
    }

    /** Holds the next task that reaches {@code point} until the hold is released; one hold per point. */
    public Hold holdAt(String point) {
        var hold = new Hold(point);
        if (armed.putIfAbsent(point, hold) != null) {
            throw new IllegalStateException("a hold is already armed at " + point);
        }
        return hold;
    }

    /** Runs on the teardown task before the step {@code point} names: waits there if a hold is armed. */
    public void reach(String point) {
        var listening = recorder;
        if (listening != null) {
            listening.accept(point);
        }
        if (armed.isEmpty()) {
            return;
        }
        var hold = armed.remove(point);
        if (hold != null) {
            hold.pause();
        }
    }

    /** From now on tells {@code into} every point reached, in the order reached (null: stop). */
    public void record(Consumer<String> into) {
        recorder = into;
    }

    /** Lets every task held go and disarms every hold (the host resets or the run ends). */
    public void releaseAll() {
        armed.values().forEach(Hold::release);
        armed.clear();
    }

    /** One armed point: the task that reaches it waits until {@link #release}. */
    public static final class Hold {

        private final String point;
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        private Hold(String point) {
            this.point = point;
        }

        public String point() {
            return point;
        }

        private void pause() {
            entered.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        public boolean isEntered() {
            return entered.getCount() == 0;
        }

        /** Waits until a task is held here; false on timeout. */
        public boolean awaitEntered(long timeout, TimeUnit unit) throws InterruptedException {
            return entered.await(timeout, unit);
        }

        public void release() {
            released.countDown();
        }
    }
}
