package dev.novahost.kernel.machine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.module.ModuleState;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.task.Breakpoints;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The teardown points outside remove(): an unbind reaches {@code ADDRESS devres:NAME} before each devres
 * entry is released, an rmmod {@code nova-core module_exit} before its exit function runs and
 * {@code nova-core module_free} before its text is freed. Held at each, the teardown has done exactly
 * what comes before it.
 */
class TeardownPointsTest {

    private final Kernel kernel = new Kernel(new KernelConfig(4, true), Clock.system());
    private final PciAddress gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();

    @AfterEach
    void close() {
        kernel.close();
    }

    @Test
    void anUnbindHeldBeforeTheDriverDataEntryHasRemovedButNotFreedNorUnbound() throws InterruptedException {
        var hold = kernel.breakpoints().holdAt(Breakpoints.point(gpu.toString(), "devres:driver data"));
        var unbind = kernel.teardown().unbind(NovaCoreDriver.NAME, gpu);

        assertThat(hold.awaitEntered(5, TimeUnit.SECONDS)).as("held").isTrue();
        assertThat(types()).contains("driver.removed", "irq.freed")
                .doesNotContain("driver.freed", "driver.unbound");
        assertThat(kernel.devices().binding(kernel.devices().get(gpu))).isPresent();

        hold.release();
        assertThat(unbind.awaitDone(Duration.ofSeconds(5))).isTrue();
        assertThat(types()).containsSubsequence("driver.removed", "driver.freed", "devres.released", "driver.unbound");
    }

    @Test
    void anUnloadIsHeldAsItsExitFunctionBeginsAndAgainBeforeItsTextIsFreed() throws InterruptedException {
        var exit = kernel.breakpoints().holdAt(Breakpoints.point(NovaCoreDriver.NAME, "module_exit"));
        var free = kernel.breakpoints().holdAt(Breakpoints.point(NovaCoreDriver.NAME, "module_free"));
        var module = kernel.module(NovaCoreDriver.NAME);
        var rmmod = kernel.teardown().unload(NovaCoreDriver.NAME, UnloadMode.PIN);

        assertThat(exit.awaitEntered(5, TimeUnit.SECONDS)).isTrue();
        assertThat(module.state()).isEqualTo(ModuleState.GOING);
        assertThat(kernel.driverCore().isRegistered(NovaCoreDriver.NAME)).as("nothing of exit has run").isTrue();
        assertThat(free.isEntered()).isFalse();

        exit.release();
        assertThat(free.awaitEntered(5, TimeUnit.SECONDS)).isTrue();
        assertThat(kernel.driverCore().isRegistered(NovaCoreDriver.NAME)).isFalse();
        assertThat(types()).contains("driver.unbound", "module.exit").doesNotContain("module.unloaded");
        assertThat(module.state()).as("the text is not freed yet").isEqualTo(ModuleState.GOING);

        free.release();
        assertThat(rmmod.awaitDone(Duration.ofSeconds(5))).isTrue();
        assertThat(module.state()).isEqualTo(ModuleState.UNLOADED);
    }

    private List<String> types() {
        return kernel.log().since(0, Integer.MAX_VALUE).stream().map(e -> e.type()).toList();
    }
}
