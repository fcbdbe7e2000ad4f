package dev.novahost.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.novahost.kernel.lockdep.Lockdep;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@code GET /api/v1/lockdep}: an unbind that cancels a timer under the device lock is an order; a timer
 * callback that takes the device lock closes the cycle; the route shows the classes, both orders' first
 * occurrences and the cycle with lockdep's report and how often it was seen, and a reset forgets them.
 */
class LockdepApiTest extends ApiTest {

    @Autowired
    Lockdep lockdep;

    @Test
    void theOrdersAnUnbindMadeAndTheCycleACallbackClosedAreShownWithTheirReportAndCount() throws Exception {
        loadNovaCore();
        createDevice("GA102", GA102);
        postJson("/api/v1/devices/" + GA102 + "/timers", "{\"mode\":\"oneshot\",\"delayNs\":3600000000000}")
                .andExpect(status().isCreated());
        unbind(GA102); // &dev->mutex held across hrtimer_cancel: the order, nothing blocks

        getJson("/api/v1/lockdep").andExpect(status().isOk())
                .andExpect(jsonPath("$.enabled").value(true))
                .andExpect(jsonPath("$.classes", Matchers.hasItems("&dev->mutex", "(hrtimer)nova_timer_fn")))
                .andExpect(jsonPath("$.dependencies[?(@.before == '&dev->mutex' && @.after == '(hrtimer)nova_timer_fn')]"
                        + ".takenAt").value("hrtimer_cancel"))
                .andExpect(jsonPath("$.cycles.length()").value(0));

        callbackTakesTheDeviceLock();
        callbackTakesTheDeviceLock(); // the same cycle again: counted, not reported twice

        getJson("/api/v1/lockdep").andExpect(status().isOk())
                .andExpect(jsonPath("$.cycles.length()").value(1))
                .andExpect(jsonPath("$.cycles[0].task").value("timer 1 callback"))
                .andExpect(jsonPath("$.cycles[0].recursive").value(false))
                .andExpect(jsonPath("$.cycles[0].classes", Matchers.contains("&dev->mutex", "(hrtimer)nova_timer_fn")))
                .andExpect(jsonPath("$.cycles[0].report[0]").value("WARNING: possible circular locking dependency detected"))
                .andExpect(jsonPath("$.cycles[0].report[1]").value(
                        "timer 1 callback is trying to acquire lock: (&dev->mutex) in device_lock"))
                .andExpect(jsonPath("$.cycles[0].times").value(2));
        getJson("/api/v1/violations?kind=deadlock_possible").andExpect(jsonPath("$.length()").value(1));

        call(post("/api/v1/host/reset")).andExpect(status().isOk());
        getJson("/api/v1/lockdep").andExpect(jsonPath("$.dependencies.length()").value(0))
                .andExpect(jsonPath("$.cycles.length()").value(0));
    }

    /** A timer callback that calls device_lock(): its two acquisitions, made directly, on a thread of its own. */
    private void callbackTakesTheDeviceLock() throws InterruptedException {
        var callback = Thread.ofPlatform().name("hrtimer callback").start(() -> {
            lockdep.nameTask("timer 1 callback");
            try (var running = lockdep.acquire(lockdep.lockClass("(hrtimer)nova_timer_fn"), "nova_timer_fn");
                 var device = lockdep.acquire(lockdep.lockClass("&dev->mutex"), "device_lock")) {
                assertThat(lockdep.heldByThisThread()).hasSize(2);
            }
        });
        callback.join();
    }
}
