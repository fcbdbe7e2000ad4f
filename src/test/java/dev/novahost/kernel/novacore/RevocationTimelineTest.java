package dev.novahost.kernel.novacore;

import static dev.novahost.kernel.novacore.TestHost.errnoOf;
import static dev.novahost.kernel.sanitizer.ViolationKind.MMIO_AFTER_REVOKE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.events.LogEntry;
import dev.novahost.kernel.pci.Bar0;
import dev.novahost.kernel.sanitizer.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DESIGN.md §6: a violation's timeline tells how it came to be. For a file op that runs into a
 * revoked BAR, that story includes the revocation itself, at its device, between the unbind that
 * started it and the access that was refused.
 */
class RevocationTimelineTest {

    @RegisterExtension
    private final TestHost host = TestHost.boot();

    @Test
    void aFileOpAfterAForgottenDisconnectShowsTheBarsRevocationInItsTimeline() {
        host.usePolicy(Policy.REVOCABLE);
        host.inject(TestHost.forgetFileDisconnect());
        var gpu = host.plugGpu();
        var file = host.kernel().openFile(gpu);
        file.read(Bar0.NV_PMC_BOOT_0);

        host.unbind(gpu);

        assertThat(errnoOf(() -> file.read(Bar0.NV_PMC_BOOT_0))).isEqualTo(Errno.ENODEV);
        var violation = host.kernel().sanitizer().violations().getFirst();
        assertThat(violation.kind()).isEqualTo(MMIO_AFTER_REVOKE);
        assertThat(violation.outcome()).isEqualTo(Outcome.PREVENTED);
        var story = violation.timeline().stream().map(LogEntry::type).toList();
        assertThat(story).as("opened, unbind started, BAR revoked, in that order")
                .containsSubsequence("file.opened", "driver.remove", "devres.revoked");
        var revoked = violation.timeline().stream().filter(e -> e.type().equals("devres.revoked")).findFirst().orElseThrow();
        assertThat(revoked.device()).as("the revocation names its device").isEqualTo(gpu.toString());
        assertThat(revoked.message()).contains(gpu.toString()).contains("BAR0 revoked");
        assertThat(host.kernel().log().since(0, Integer.MAX_VALUE)).as("logged once")
                .filteredOn(e -> e.type().equals("devres.revoked")).hasSize(1);
        host.assertTimelinesStartAtCreation();
    }
}
