package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.journal.JournalRecord.Bound;
import dev.novahost.journal.JournalRecord.DeviceAdded;
import dev.novahost.journal.JournalRecord.DeviceRemoved;
import dev.novahost.journal.JournalRecord.FaultsSet;
import dev.novahost.journal.JournalRecord.ModuleLoaded;
import dev.novahost.journal.JournalRecord.ModuleUnloaded;
import dev.novahost.journal.JournalRecord.PolicySet;
import dev.novahost.journal.JournalRecord.ProbeFailed;
import dev.novahost.journal.JournalRecord.SurpriseRemoved;
import dev.novahost.journal.JournalRecord.Unbound;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.FaultAttr;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.fault.InjectionPoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codec against the format on disk: {@code every-record.jsonl} holds the lines the code before the
 * typed records wrote (captured from it by a kernel plugging, binding, failing a probe, setting faults,
 * unplugging and unloading), one for every record type, and a {@code driver.faults} line with attributes,
 * an injection point and a seed (issue 17), and the firmware store's three records (issue 17).
 */
class JournalCodecTest {

    private static final String GPU = "0000:01:00.0";
    private static final String OTHER = "0000:02:00.0";

    /** In the order of the lines of {@code every-record.jsonl}. */
    private static final List<JournalRecord> EVERY_RECORD = List.of(
            new DeviceAdded(GPU, "GA102", 0xa1),
            new Bound(GPU, "nova-core", Policy.REVOCABLE),
            new ModuleLoaded("nova-core"),
            new PolicySet("nova-core", Policy.FENCED),
            new Unbound(GPU, Optional.of("nova-core")),
            new FaultsSet(new Faults(EnumSet.of(Fault.LEAK_REGION), Optional.of(Errno.EIO))),
            new ProbeFailed(GPU, "nova-core"),
            new FaultsSet(Faults.NONE),
            new SurpriseRemoved(GPU),
            new DeviceAdded(OTHER, "TU102", 0x0a),
            new Bound(OTHER, "nova-core", Policy.FENCED),
            new Unbound(OTHER, Optional.of("nova-core")),
            new DeviceRemoved(OTHER),
            new ModuleUnloaded("nova-core"),
            // since issue 17: attributes, an injection point and the seed (booleans alone write the lines above)
            new FaultsSet(new Faults(Map.of(Fault.FORGET_TIMER_CANCEL, new FaultAttr(100, 1, 2, 2, 1, Optional.empty()),
                    Fault.LEAK_REGION, FaultAttr.ALWAYS,
                    Fault.FORGET_WORK_CANCEL, new FaultAttr(50, 3, -1, 0, 2, Optional.of(GPU))),
                    Map.of(InjectionPoint.REQUEST_IRQ, new Faults.Injection(new FaultAttr(25, 1, 1, 0, 0, Optional.empty()),
                            Errno.EINVAL)), Optional.empty(), OptionalLong.of(-42))),
            // since issue 17: the firmware store's changes, the image in base64
            new JournalRecord.FirmwareInstalled("nvidia/ga102/gsp/booter_load-535.113.01.bin", "3hAAAHg="),
            new JournalRecord.FirmwareDeleted("nvidia/tu102/gsp/booter_load-535.113.01.bin"),
            new JournalRecord.FirmwareDefaults());

    @TempDir
    Path dir;

    @Test
    void everyRecordTypeIsPinned() {
        var covered = EVERY_RECORD.stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(covered).containsExactlyInAnyOrderElementsOf(
                Arrays.asList(JournalRecord.class.getPermittedSubclasses()));
    }

    @Test
    void eachRecordIsWrittenAsTheLineTheCodeBeforeWrote() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            EVERY_RECORD.forEach(journal::append);
        }

        assertThat(JournalLines.of(dir.resolve(Journal.FILE)))
                .containsExactlyElementsOf(Files.readAllLines(Path.of("src/test/resources/journal/every-record.jsonl")));
    }

    @Test
    void eachRecordRoundTrips() {
        for (var record : EVERY_RECORD) {
            assertThat(JournalCodec.decode(JournalCodec.encode(record))).contains(record);
        }
    }

    /** Issue 18: the srcu policy round-trips as a policy set and as a binding's policy, as its wire word. */
    @Test
    void theSrcuPolicyRoundTripsByItsWireWord() {
        var set = new PolicySet("nova-core", Policy.SRCU);
        var bound = new Bound(GPU, "nova-core", Policy.SRCU);

        assertThat(JournalCodec.encode(set)).containsEntry("policy", "srcu");
        assertThat(JournalCodec.encode(bound)).containsEntry("policy", "srcu");
        assertThat(JournalCodec.decode(JournalCodec.encode(set))).contains(set);
        assertThat(JournalCodec.decode(JournalCodec.encode(bound))).contains(bound);
    }

    @Test
    void theUnbindOfACompactedJournalNamesNoDriverAndRoundTrips() {
        var unbound = new Unbound(GPU, Optional.empty());

        assertThat(JournalCodec.encode(unbound)).containsExactly(Map.entry("op", "driver.unbound"),
                Map.entry("device", GPU));
        assertThat(JournalCodec.decode(JournalCodec.encode(unbound))).contains(unbound);
    }

    /** An unknown op (a newer build wrote it) is skipped, as the fold skipped it before: it is not refused. */
    @Test
    void anUnknownOpIsSkipped() throws Exception {
        assertThat(JournalCodec.decode(Map.of("op", "device.renamed", "device", GPU))).isEmpty();
        assertThat(JournalCodec.decode(Map.of("device", GPU))).isEmpty();

        try (var journal = Journal.open(dir, 1000)) {
            journal.append(new ModuleLoaded("nova-core"));
            journal.append(Map.of("op", "device.renamed", "device", GPU));
        }
        try (var reopened = Journal.open(dir, 1000)) {
            assertThat(reopened.records()).containsExactly(new ModuleLoaded("nova-core"));
        }
    }
}
