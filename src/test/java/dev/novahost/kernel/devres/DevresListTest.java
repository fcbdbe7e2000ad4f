package dev.novahost.kernel.devres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A device's devres list: released last acquired first, and an entry the driver released itself
 * ({@code devm_free_irq} in remove()) is destroyed, so that devres does not release it a second time.
 */
class DevresListTest {

    private final DevresList devres = new DevresList();
    private final List<String> released = new ArrayList<>();

    private DevresList.Entry acquire(String name) {
        return devres.add(name, () -> released.add(name));
    }

    @Test
    void releaseAllGoesLastAcquiredFirst() {
        acquire("pci_enable_device");
        acquire("driver data");
        acquire("request_irq PTIMER alarm");

        assertThat(devres.releaseAll()).containsExactly("request_irq PTIMER alarm", "driver data", "pci_enable_device");
        assertThat(released).containsExactly("request_irq PTIMER alarm", "driver data", "pci_enable_device");
        assertThat(devres.isEmpty()).isTrue();
    }

    @Test
    void aDestroyedEntryIsNotReleased() {
        acquire("pci_enable_device");
        acquire("driver data");
        var irq = acquire("request_irq PTIMER alarm");

        assertThat(devres.destroy(irq)).isTrue();
        assertThat(devres.destroy(irq)).as("already gone").isFalse();

        assertThat(released).as("devres_destroy releases nothing").isEmpty();
        assertThat(devres.releaseAll()).containsExactly("driver data", "pci_enable_device");
        assertThat(released).containsExactly("driver data", "pci_enable_device");
    }

    @Test
    void destroyTakesTheEntryItWasGivenNotAnotherOfTheSameName() {
        var first = acquire("devm_add_action");
        acquire("devm_add_action");

        assertThat(devres.destroy(first)).isTrue();

        assertThat(devres.names()).containsExactly("devm_add_action");
        assertThat(devres.destroy(first)).as("the other entry of that name is not this one").isFalse();
    }
}
