package dev.novahost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.VirtualClock;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.timer.TimerEngine;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Found by the randomized stress test: under {@code fenced}, nova-core's remove() with no fault injected
 * leaves the interrupt handler installed; devres frees it, but only after remove() has returned. An
 * interrupt that arrives in between runs the handler of a removed device: {@code irq_after_remove}
 * occurred. On virtual time the interrupt is placed exactly there: the PTIMER alarm is armed, and
 * time passes it the moment the kernel log says remove() returned. remove() now frees the handler
 * itself ({@code devm_free_irq}) before it returns, so the interrupt finds no handler.
 */
class IrqAfterFencedRemoveTest {

    private final VirtualClock clock = new VirtualClock();
    private final TimerEngine engine = TimerEngine.virtual(clock);
    private final Kernel kernel = new Kernel(new KernelConfig(4, true), engine);

    @AfterEach
    void shutDown() {
        kernel.close();
    }

    @Test
    void noInterruptHandlerRunsAfterRemoveReturned() {
        kernel.driverCore().setPolicy(NovaCoreDriver.NAME, Policy.FENCED);
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
        int now = kernel.mmio().read(gpu, Bar0.NV_PTIMER_TIME_0);
        kernel.mmio().write(gpu, Bar0.NV_PTIMER_ALARM_0, now + 1_000);
        kernel.mmio().write(gpu, Bar0.NV_PTIMER_INTR_EN_0, 1);
        kernel.log().subscribe(event -> {
            if (event.type().equals("driver.removed")) {
                engine.advanceTo(clock.nanoTime() + 2_000); // the alarm interrupt arrives now
            }
        });

        kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu);

        var irqs = kernel.bus().irqAccounting();
        assertThat(irqs.handled() + irqs.unhandled()).as("interrupts raised after remove()").isOne();
        assertThat(kernel.sanitizer().violations()).filteredOn(v -> v.outcome() == Outcome.OCCURRED).isEmpty();
    }
}
