package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.journal.Journal.JournalException;
import dev.novahost.journal.Journal.Recovery;
import dev.novahost.journal.Journal.Settings;
import dev.novahost.kernel.Errno;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The journal file on its own: what survives, what a crash leaves, what compaction keeps, what a full or
 * failing disk does (through {@link FillingDisk}), and what a byte changed in its middle does.
 */
@ExtendWith(OutputCaptureExtension.class)
class JournalTest {

    private static final Map<String, String> LOADED = Map.of("op", "module.loaded", "module", "nova-core");
    private static final Map<String, String> UNLOADED = Map.of("op", "module.unloaded", "module", "nova-core");
    private static final Map<String, String> FENCED = Map.of("op", "driver.policy", "driver", "nova-core",
            "policy", "fenced");
    private static final Map<String, String> REVOCABLE = Map.of("op", "driver.policy", "driver", "nova-core",
            "policy", "revocable");
    private static final int SEGMENT = 8192;

    @TempDir
    Path dir;

    private final FillingDisk disk = new FillingDisk();

    @Test
    void recordsSurviveAReopenFoldedIntoTheirState() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(Map.of("op", "device.added", "device", "0000:01:00.0", "chipset", "GA102", "revision", "0xa1"));
            journal.append(Map.of("op", "device.added", "device", "0000:02:00.0", "chipset", "TU102", "revision", "0xa1"));
            journal.append(LOADED);
            journal.append(Map.of("op", "driver.bound", "device", "0000:01:00.0", "driver", "nova-core", "policy", "fenced"));
            journal.append(Map.of("op", "device.removed", "device", "0000:02:00.0"));
        }
        try (var reopened = Journal.open(dir, 1000)) {
            assertThat(reopened.tornTail()).isEmpty();
            assertThat(reopened.replay()).containsExactly(
                    Map.of("op", "device.added", "device", "0000:01:00.0", "chipset", "GA102", "revision", "0xa1"),
                    LOADED,
                    Map.of("op", "driver.bound", "device", "0000:01:00.0", "driver", "nova-core", "policy", "fenced"));
        }
    }

    /** As PostgreSQL's WAL segments: zeros on disk ahead of the records, which the reader takes as the end. */
    @Test
    void theFileIsPreallocatedWithZerosThatReadAsItsEnd() throws Exception {
        Path file = dir.resolve(Journal.FILE);
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(LOADED);
        }
        assertThat(Files.size(file)).isGreaterThanOrEqualTo(Settings.SEGMENT_BYTES);
        assertThat(JournalLines.end(file)).isLessThan(200);
        try (var reopened = Journal.open(dir, 1000)) {
            assertThat(reopened.tornTail()).isEmpty();
            reopened.append(FENCED);
        }
        assertThat(JournalLines.of(file)).hasSize(2);
        try (var again = Journal.open(dir, 1000)) {
            assertThat(again.replay()).containsExactly(LOADED, FENCED);
        }
    }

    /** A journal written before preallocation (no zeros) still replays, and takes new records after its own. */
    @Test
    void aJournalOfTheFormatBeforePreallocationStillReplays() throws Exception {
        Files.copy(Path.of("src/test/resources/journal/today-format.jsonl"), dir.resolve(Journal.FILE));
        try (var journal = Journal.open(dir, 1000)) {
            assertThat(journal.tornTail()).isEmpty();
            assertThat(journal.replay()).containsExactly(
                    Map.of("op", "device.added", "device", "0000:01:00.0", "chipset", "GA102", "revision", "0xa1"),
                    Map.of("op", "device.added", "device", "0000:02:00.0", "chipset", "TU102", "revision", "0xa1"),
                    Map.of("op", "device.added", "device", "0000:03:00.0", "chipset", "TU102", "revision", "0xa1"),
                    LOADED,
                    Map.of("op", "driver.bound", "device", "0000:01:00.0", "driver", "nova-core", "policy", "revocable"),
                    Map.of("op", "driver.bound", "device", "0000:02:00.0", "driver", "nova-core", "policy", "fenced"),
                    Map.of("op", "driver.unbound", "device", "0000:03:00.0"),
                    Map.of("op", "device.surprise-removed", "device", "0000:01:00.0"),
                    REVOCABLE);
            journal.append(FENCED);
        }
        try (var reopened = Journal.open(dir, 1000)) {
            assertThat(reopened.replay()).endsWith(FENCED);
        }
    }

    @Test
    void aTornLastRecordIsDroppedWithAWarningAndNewRecordsFollowTheGoodPart(CapturedOutput output) throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(LOADED);
        }
        Path file = dir.resolve(Journal.FILE);
        long good = JournalLines.end(file);
        JournalLines.writeAtEnd(file, "{\"seq\":2,\"op\":\"device.added\",\"device\":\"0000:0");

        try (var reopened = Journal.open(dir, 1000)) {
            assertThat(reopened.tornTail()).hasValueSatisfying(t -> assertThat(t).startsWith("{\"seq\":2"));
            assertThat(JournalLines.end(file)).isEqualTo(good);
            reopened.append(UNLOADED);
        }
        assertThat(output).containsPattern("WARN .* journal .*journal.jsonl: dropped a torn tail from line 2 on \\(45"
                + " bytes, a record it has no line end\\)");
        try (var again = Journal.open(dir, 1000)) {
            assertThat(again.tornTail()).isEmpty();
            assertThat(again.replay()).containsExactly(UNLOADED);
        }
    }

    /** A hot-unplug is an unbind and a removal: a crash after the first must not leave it half done. */
    @Test
    void anOperationACrashCutShortIsDroppedWhole() throws Exception {
        var plugged = Map.of("op", "device.added", "device", "0000:01:00.0", "chipset", "GA102", "revision", "0xa1");
        var bound = Map.of("op", "driver.bound", "device", "0000:01:00.0", "driver", "nova-core", "policy", "fenced");
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(plugged);
            journal.append(bound);
            journal.append(List.of(Map.of("op", "driver.unbound", "device", "0000:01:00.0", "driver", "nova-core"),
                    Map.of("op", "device.removed", "device", "0000:01:00.0")));
        }
        Path file = dir.resolve(Journal.FILE);
        var lines = JournalLines.of(file);
        assertThat(lines.get(2)).contains("\"more\":\"true\"");
        assertThat(lines.get(3)).doesNotContain("more");
        Files.write(file, lines.subList(0, 3)); // the crash came between the operation's two writes

        try (var reopened = Journal.open(dir, 1000)) {
            assertThat(reopened.replay()).containsExactly(plugged, bound);
            assertThat(reopened.tornTail()).hasValueSatisfying(t -> assertThat(t).contains("driver.unbound"));
            assertThat(JournalLines.of(file)).hasSize(2);
        }
    }

    @Test
    void aLastRecordWhoseChecksumDoesNotMatchIsATornTail() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(LOADED);
            journal.append(FENCED);
        }
        flip(dir.resolve(Journal.FILE), "fenced", "fenceD");

        try (var reopened = Journal.open(dir, 1000)) {
            assertThat(reopened.tornTail()).isPresent();
            assertThat(reopened.replay()).containsExactly(LOADED);
        }
    }

    @Test
    void compactionKeepsTheStateAndBoundsTheFile() throws Exception {
        try (var journal = Journal.open(dir, 50)) {
            for (int i = 0; i < 1000; i++) {
                journal.append(i % 2 == 0 ? FENCED : REVOCABLE);
            }
            journal.append(FENCED);
        }
        assertThat(JournalLines.of(dir.resolve(Journal.FILE))).hasSizeLessThanOrEqualTo(50);
        try (var reopened = Journal.open(dir, 50)) {
            assertThat(reopened.replay()).containsExactly(FENCED);
        }
    }

    // --- item 9: a full or failing disk -------------------------------------------------------------

    /**
     * The disk fills up: the journal meets it when it grows, in {@code reserve()}, before a change is
     * made, and writes nothing; once there is room again every acknowledged record is there after a
     * kill -9 (the journal left open, never closed).
     */
    @Test
    void aFullDiskRefusesTheReservationWithNothingWrittenAndNothingIsLost() throws Exception {
        Path file = dir.resolve(Journal.FILE);
        var journal = Journal.open(dir, new Settings(1000, SEGMENT, Recovery.NONE, disk));
        disk.free(3000); // less than a segment: the extension fails part way
        JournalException refused = null;
        int acknowledged = 0;
        while (refused == null && acknowledged < 500) {
            try {
                journal.reserve();
                journal.append(acknowledged % 2 == 0 ? FENCED : REVOCABLE);
                acknowledged++;
            } catch (JournalException full) {
                refused = full;
            }
        }
        assertThat(refused).as("refused within 500 changes").isNotNull();
        assertThat(refused.errno()).isEqualTo(Errno.ENOSPC);
        assertThat(refused.getMessage()).contains("No space left on device", "nothing was changed");
        assertThat(acknowledged).as("the preallocated half segment held them").isGreaterThan(10);
        assertThat(JournalLines.of(file)).hasSize(acknowledged);
        assertThat(Files.size(file)).as("the failed extension gave back what it took").isEqualTo(SEGMENT);
        assertThat(disk.free()).isEqualTo(3000);

        disk.free(Long.MAX_VALUE);
        journal.reserve();
        journal.append(UNLOADED);
        try (var afterKill = Journal.open(dir, 1000)) {
            assertThat(afterKill.tornTail()).isEmpty();
            assertThat(afterKill.replay()).containsExactly(UNLOADED, acknowledged % 2 == 0 ? REVOCABLE : FENCED);
        }
        journal.close();
    }

    /**
     * A write that fails half way, after the caller changed the kernel (a passing I/O error): the half
     * record is zeroed, never written over, and the journal takes no more changes (PostgreSQL's PANIC);
     * a restart finds exactly what was acknowledged.
     */
    @Test
    void aWriteThatFailsHalfWayIsZeroedAndTheJournalStopsTakingChanges() throws Exception {
        Path file = dir.resolve(Journal.FILE);
        var journal = Journal.open(dir, new Settings(1000, SEGMENT, Recovery.NONE, disk));
        journal.reserve();
        journal.append(LOADED);
        long good = JournalLines.end(file);

        disk.failOnceAfter(30);
        journal.reserve();
        assertThatThrownBy(() -> journal.append(FENCED)).isInstanceOfSatisfying(JournalException.class, e -> {
            assertThat(e.errno()).isEqualTo(Errno.EIO);
            assertThat(e.getMessage()).contains("not durable", "restarted");
        });
        assertThat(JournalLines.end(file)).as("no half record left").isEqualTo(good);
        assertThatThrownBy(journal::reserve).isInstanceOfSatisfying(JournalException.class,
                e -> assertThat(e.getMessage()).contains("takes no more changes", "restart nova-host"));
        journal.close();

        try (var restarted = Journal.open(dir, 1000)) {
            assertThat(restarted.tornTail()).isEmpty();
            assertThat(restarted.replay()).containsExactly(LOADED);
        }
    }

    /** A disk that keeps failing cannot even zero the half record: it is then a torn tail at the next start. */
    @Test
    void aHalfRecordADeadDiskKeepsIsATornTailAtTheNextStart() throws Exception {
        var journal = Journal.open(dir, new Settings(1000, SEGMENT, Recovery.NONE, disk));
        journal.append(LOADED);
        disk.failWritesAfter(30);
        assertThatThrownBy(() -> journal.append(FENCED)).isInstanceOf(JournalException.class);
        journal.close();
        disk.failWrites(false);

        try (var restarted = Journal.open(dir, 1000)) {
            assertThat(restarted.tornTail()).hasValueSatisfying(t -> assertThat(t).hasSize(30));
            assertThat(restarted.replay()).containsExactly(LOADED);
        }
    }

    /** The record that asked for the compaction is on disk: a failed compaction is only a WARN, tried again. */
    @Test
    void aFailedCompactionIsAWarningAndIsTriedAgainLater(CapturedOutput output) throws Exception {
        Path file = dir.resolve(Journal.FILE);
        try (var journal = Journal.open(dir, new Settings(5, SEGMENT, Recovery.NONE, disk))) {
            disk.refuseOpening(".compacting");
            for (int i = 0; i < 7; i++) {
                journal.reserve();
                journal.append(i % 2 == 0 ? FENCED : REVOCABLE);
            }
            assertThat(output).contains("compaction failed", "Read-only file system");
            assertThat(JournalLines.of(file)).hasSize(7);

            disk.refuseOpening(null);
            for (int i = 0; i < 5; i++) {
                journal.append(LOADED);
            }
            assertThat(JournalLines.of(file)).as("compacted once the folder is writable").hasSizeLessThan(5);
        }
        try (var reopened = Journal.open(dir, 5)) {
            assertThat(reopened.replay()).containsExactly(LOADED, FENCED);
        }
    }

    // --- item 10: a changed byte in the middle ----------------------------------------------------------

    /** Damage followed by valid records is not a crash: refused, and the file left as it was. */
    @Test
    void aChangedByteInTheMiddleRefusesToOpenAndLeavesTheFileUntouched(CapturedOutput output) throws Exception {
        Path file = dir.resolve(Journal.FILE);
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(LOADED);
            journal.append(FENCED);
            journal.append(REVOCABLE);
            journal.append(UNLOADED);
        }
        flip(file, "fenced", "fenceD");
        byte[] damaged = Files.readAllBytes(file);

        assertThatThrownBy(() -> Journal.open(dir, 1000)).isInstanceOfSatisfying(Journal.Damaged.class, e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.getMessage()).isEqualTo("The journal " + file + " is damaged at line 2 (its checksum does not"
                    + " match) and 2 valid records follow it, so it is not a torn tail; it was left untouched");
        });
        assertThat(Files.readAllBytes(file)).isEqualTo(damaged);
        assertThat(output).doesNotContain("torn tail from");
    }

    /** A line edited by hand with its checksum fixed up but no number for {@code seq} is damage, not a crash of the start. */
    @Test
    void aLineWhoseChecksumMatchesButWhoseSeqIsNoNumberIsDamage() throws Exception {
        Path file = dir.resolve(Journal.FILE);
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(LOADED);
            journal.append(FENCED);
        }
        var lines = JournalLines.of(file);
        String prefix = lines.get(0).replaceFirst("\"seq\":\"?1\"?", "\"seq\":\"one\"");
        prefix = prefix.substring(0, prefix.lastIndexOf(",\"crc\":\""));
        var crc = new CRC32();
        crc.update(prefix.getBytes(StandardCharsets.UTF_8));
        Files.writeString(file, prefix + ",\"crc\":\"" + String.format("%08x", crc.getValue()) + "\"}\n" + lines.get(1)
                + "\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> Journal.open(dir, 1000)).isInstanceOfSatisfying(Journal.Damaged.class, e -> {
            assertThat(e.line()).isEqualTo(1);
            assertThat(e.getMessage()).contains("its checksum matches but it is not a record", "1 valid records");
        });
    }

    @Test
    void recoveryByTruncationKeepsACopyAsideAndCutsBeforeTheDamage(CapturedOutput output) throws Exception {
        Path file = dir.resolve(Journal.FILE);
        try (var journal = Journal.open(dir, 1000)) {
            journal.append(LOADED);
            journal.append(FENCED);
            journal.append(UNLOADED);
        }
        flip(file, "fenced", "fenceD");
        byte[] damaged = Files.readAllBytes(file);

        try (var journal = Journal.open(dir, new Settings(1000, Settings.SEGMENT_BYTES, Recovery.TRUNCATE,
                JournalFiles.DISK))) {
            assertThat(journal.replay()).containsExactly(LOADED);
        }
        try (var copies = Files.list(dir)) {
            var aside = copies.filter(p -> p.getFileName().toString().startsWith(Journal.FILE + ".damaged-")).toList();
            assertThat(aside).hasSize(1);
            assertThat(Files.readAllBytes(aside.getFirst())).isEqualTo(damaged);
        }
        assertThat(JournalLines.of(file)).hasSize(1);
        assertThat(output).containsPattern("WARN .*line 2 of .* is damaged \\(its checksum does not match\\); as"
                + " nova.journal-recover=truncate asks, the file was cut there and 1 valid records after it were dropped");
    }

    private static void flip(Path file, String from, String to) throws Exception {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Files.writeString(file, text.replaceFirst(from, to), StandardCharsets.UTF_8);
    }
}
