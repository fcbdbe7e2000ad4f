package dev.novahost.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.sanitizer.Outcome;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Found by the randomized stress test: under {@code fenced}, unbind disconnects the device's open files
 * (their ops then fail with {@code ENODEV}) but they keep their module reference; a disassociating
 * rmmod then finds them already disconnected and leaves them as they are, drops the reference and
 * frees the text. The file's next op, or its close, calls into the freed text: an
 * {@code exec_after_unload} that occurred with no fault injected and no forced unload. A disassociating
 * unload now takes over a disconnected file too: its ops fail with {@code EIO} and release() runs no
 * module code.
 */
class DisassociateAfterFencedRemoveTest {

    private final Kernel kernel = new Kernel(new KernelConfig(4, true), Clock.system());

    @AfterEach
    void shutDown() {
        kernel.close();
    }

    @Test
    void aFileDisconnectedByUnbindIsStillDisassociatedByTheUnload() {
        kernel.driverCore().setPolicy(NovaCoreDriver.NAME, Policy.FENCED);
        var gpu = kernel.hotplug(Chipset.GA102, Optional.empty(), 0xa1).address();
        var file = kernel.openFile(gpu);

        kernel.driverCore().unbind(NovaCoreDriver.NAME, gpu);
        kernel.unload(NovaCoreDriver.NAME, UnloadMode.DISASSOCIATE);

        var refused = catchThrowableOfType(KernelException.class, () -> file.read(Bar0.NV_PMC_BOOT_0));
        assertThat(refused.errno()).as("an op on a disassociated file").isEqualTo(Errno.EIO);
        kernel.novaCoreObjects().closeFile(file.fd());
        assertThat(kernel.sanitizer().violations()).filteredOn(v -> v.outcome() == Outcome.OCCURRED).isEmpty();
    }
}
