package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.driver.Binding;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.pci.PciAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device's record and the driver core's decision about it (bound, unbound, probe failed) are separate
 * records. Replay keeps each decision, and probes, as the kernel does at boot, a device the journal
 * holds no decision about; that probe is journaled, so the next start keeps it. Found by the kill -9
 * rounds of {@link JournalCrashTest}.
 */
class ReplayTest {

    private static final String GPU = "0000:03:00.0";
    private static final Map<String, String> PLUGGED = Map.of("op", "device.added", "device", GPU,
            "chipset", "TU102", "revision", "0xa1");

    @TempDir
    Path dir;

    @Test
    void aDeviceWithNoDecisionIsProbedAsAtBootUnderTheCurrentPolicy() throws Exception {
        var bound = replay(List.of(Map.of("op", "module.loaded", "module", "nova-core"),
                Map.of("op", "driver.policy", "driver", "nova-core", "policy", "fenced"), PLUGGED));
        assertThat(bound).map(Binding::policy).contains(Policy.FENCED);
    }

    /** Issue 18: the third policy's word replays as the others do, as the policy set and as a binding's. */
    @Test
    void anSrcuPolicyChangeAndAnSrcuBindingReplay() throws Exception {
        var probed = replay(List.of(Map.of("op", "module.loaded", "module", "nova-core"),
                Map.of("op", "driver.policy", "driver", "nova-core", "policy", "srcu"), PLUGGED));
        assertThat(probed).map(Binding::policy).contains(Policy.SRCU);

        var kept = replay(List.of(Map.of("op", "driver.policy", "driver", "nova-core", "policy", "fenced")));
        assertThat(kept).as("the journaled srcu binding, not the later policy").map(Binding::policy)
                .contains(Policy.SRCU);
    }

    /** The probe at replay is the driver core's decision: journaled, so a later policy does not change it. */
    @Test
    void theProbeAtReplayIsJournaledSoTheNextStartKeepsItsPolicy() throws Exception {
        replay(List.of(Map.of("op", "module.loaded", "module", "nova-core"),
                Map.of("op", "driver.policy", "driver", "nova-core", "policy", "fenced"), PLUGGED));
        var bound = replay(List.of(Map.of("op", "driver.policy", "driver", "nova-core", "policy", "revocable")));
        assertThat(bound).map(Binding::policy).contains(Policy.FENCED);
    }

    @Test
    void aDeviceTheUserUnboundStaysUnbound() throws Exception {
        var bound = replay(List.of(Map.of("op", "module.loaded", "module", "nova-core"), PLUGGED,
                Map.of("op", "driver.bound", "device", GPU, "driver", "nova-core", "policy", "revocable"),
                Map.of("op", "driver.unbound", "device", GPU, "driver", "nova-core")));
        assertThat(bound).isEmpty();
    }

    @Test
    void aDeviceWhoseProbeFailedStaysUnboundThoughItWouldProbeNow() throws Exception {
        var bound = replay(List.of(Map.of("op", "module.loaded", "module", "nova-core"), PLUGGED,
                Map.of("op", "driver.probe-failed", "device", GPU, "driver", "nova-core")));
        assertThat(bound).isEmpty();
    }

    /**
     * Issue 13 item 8: a surprise removal in the journal made replay forget every recorded decision and
     * re-probe all devices under the current policy, journaling the loss. A fenced binding, an unbind
     * and the surprise removal of a third device, then the policy changed: the restart gives exactly
     * what was acknowledged, and a second restart changes nothing.
     */
    @Test
    void aSurpriseRemovalKeepsEveryOtherDecisionAcrossRestarts() throws Exception {
        String fenced = "0000:02:00.0";
        String unbound = "0000:03:00.0";
        String gone = "0000:01:00.0";
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(Map.of("op", "module.loaded", "module", "nova-core"));
            journal.append(List.of(plugged(gone), bound(gone, "revocable")));
            journal.append(Map.of("op", "driver.policy", "driver", "nova-core", "policy", "fenced"));
            journal.append(List.of(plugged(fenced), bound(fenced, "fenced")));
            journal.append(List.of(plugged(unbound), bound(unbound, "fenced")));
            journal.append(Map.of("op", "driver.unbound", "device", unbound, "driver", "nova-core"));
            journal.append(Map.of("op", "device.surprise-removed", "device", gone));
            journal.append(Map.of("op", "driver.policy", "driver", "nova-core", "policy", "revocable"));
        }
        var acknowledged = Map.of(gone, "revocable removed", fenced, "fenced present", unbound, "unbound present");

        assertThat(restart()).isEqualTo(acknowledged);
        var journalAfterFirst = JournalLines.of(dir.resolve(Journal.FILE));
        assertThat(restart()).isEqualTo(acknowledged);
        assertThat(JournalLines.of(dir.resolve(Journal.FILE))).as("a restart journals nothing").isEqualTo(journalAfterFirst);
    }

    /** The same story in a journal written before issue 13 (no preallocated zeros): the same state. */
    @Test
    void aJournalOfTheFormatBeforeIssue13ReplaysToItsAcknowledgedState() throws Exception {
        Files.copy(Path.of("src/test/resources/journal/today-format.jsonl"), dir.resolve(Journal.FILE));
        assertThat(restart()).isEqualTo(Map.of("0000:01:00.0", "revocable removed", "0000:02:00.0", "fenced present",
                "0000:03:00.0", "unbound present"));
    }

    private static Map<String, String> plugged(String address) {
        return Map.of("op", "device.added", "device", address, "chipset", "TU102", "revision", "0xa1");
    }

    private static Map<String, String> bound(String address, String policy) {
        return Map.of("op", "driver.bound", "device", address, "driver", "nova-core", "policy", policy);
    }

    /** Starts a kernel from the journal, as the service does, and tells each device's binding and state. */
    private Map<String, String> restart() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                Replay.run(kernel, journal, journaling);
                journaling.stopRecording();
                var devices = new TreeMap<String, String>();
                for (var device : kernel.bus().devices()) {
                    devices.put(device.address().toString(), kernel.driverCore().binding(device)
                            .map(b -> b.policy().name().toLowerCase(Locale.ROOT)).orElse("unbound") + " "
                            + device.state().name().toLowerCase(Locale.ROOT));
                }
                return devices;
            }
        }
    }

    /** Appends the records, reopens the journal (folding them as a restart does) and replays it. */
    private Optional<Binding<?>> replay(List<Map<String, String>> records) throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            records.forEach(journal::append);
        }
        try (var journal = Journal.open(dir, 1000)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                Replay.run(kernel, journal, journaling);
                return kernel.driverCore().binding(kernel.bus().find(PciAddress.parse(GPU)).orElseThrow());
            }
        }
    }
}
