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

    private void acquire(String name) {
        devres.add(name, () -> released.add(name));
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
        acquire("request_irq PTIMER alarm");

        assertThat(devres.destroy("request_irq PTIMER alarm")).isTrue();
        assertThat(devres.destroy("request_irq PTIMER alarm")).as("already gone").isFalse();

        assertThat(released).as("devres_destroy releases nothing").isEmpty();
        assertThat(devres.releaseAll()).containsExactly("driver data", "pci_enable_device");
        assertThat(released).containsExactly("driver data", "pci_enable_device");
    }
}
