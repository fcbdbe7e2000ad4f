package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Kernel;
import dev.novahost.kernel.KernelConfig;
import dev.novahost.kernel.driver.Binding;
import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.pci.PciAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** Appends the records, reopens the journal (folding them as a restart does) and replays it. */
    private Optional<Binding<?>> replay(List<Map<String, String>> records) throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            records.forEach(journal::append);
        }
        try (var journal = Journal.open(dir, 1000)) {
            var journaling = new JournalingTracepoints(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), journaling)) {
                Replay.run(kernel, journal, journaling);
                return kernel.driverCore().binding(kernel.bus().find(PciAddress.parse(GPU)).orElseThrow());
            }
        }
    }
}
