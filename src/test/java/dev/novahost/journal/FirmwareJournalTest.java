package dev.novahost.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.kernel.Clock;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.firmware.FirmwareStore;
import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.machine.KernelConfig;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Firmware changes are durable like the rest of the host (issue 17): a file installed, replaced or
 * deleted and acknowledged survives a restart; a host reset brings back the preinstalled files and a
 * restart after it too; the compacted journal carries the store's differences from its defaults, and
 * stays bounded however many files are put; a journal written before firmware was journaled replays as
 * it did.
 */
class FirmwareJournalTest {

    private static final String GA102 = FirmwareStore.bootloaderName(Chipset.GA102);
    private static final String TU102 = FirmwareStore.bootloaderName(Chipset.TU102);
    private static final String EXTRA = "nvidia/ga102/gsp/extra-535.113.01.bin";

    @TempDir
    Path dir;

    @Test
    void installsReplacementsAndDeletionsSurviveARestart() throws Exception {
        var image = FirmwareStore.image(FirmwareStore.BIN_MAGIC, "new".getBytes());
        var corrupt = FirmwareStore.image(0xbad, new byte[FirmwareStore.MAX_FILE_BYTES - FirmwareStore.HEADER_BYTES]);
        var before = change(1000, store -> {
            store.put(EXTRA, image);
            store.put(TU102, corrupt);
            store.delete(GA102);
        });

        assertThat(before.keySet()).doesNotContain(GA102).contains(EXTRA, TU102);
        assertThat(restart(1000)).isEqualTo(before);
        assertThat(before.get(TU102)).isEqualTo(hex(corrupt));
    }

    @Test
    void aResetBringsBackThePreinstalledFilesAndSoDoesTheRestartAfterIt() throws Exception {
        change(1000, store -> {
            store.put(EXTRA, new byte[] {1, 2, 3});
            store.delete(GA102);
        });
        try (var journal = Journal.open(dir, 1000)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                Replay.run(kernel, journal, journaling);
                kernel.reset();
                journaling.stopRecording();
            }
        }

        assertThat(restart(1000)).isEqualTo(files(FirmwareStore.preinstalled()));
    }

    /** The snapshot is the store's differences from its defaults, by name. */
    @Test
    void theCompactedJournalHoldsTheDifferencesFromTheDefaultsFirst() throws Exception {
        var before = change(1000, store -> {
            for (int i = 0; i < 5; i++) {
                store.put(EXTRA, new byte[] {(byte) i});
            }
            store.put("nvidia/ga102/gsp/gone.bin", new byte[1]);
            store.delete("nvidia/ga102/gsp/gone.bin");
            store.delete(GA102);
            store.delete(TU102);
            store.put(TU102, FirmwareStore.preinstalled().get(TU102)); // the default back: no difference left
        });
        try (var journal = Journal.open(dir, 1000)) {
            journal.compact();
        }

        try (var journal = Journal.open(dir, 1000)) {
            assertThat(journal.records()).containsExactly(new JournalRecord.FirmwareDeleted(GA102),
                    new JournalRecord.FirmwareInstalled(EXTRA, "BA==")); // by name
        }
        assertThat(restart(1000)).isEqualTo(before);
    }

    /**
     * A probe that failed live for want of its firmware is a recorded decision: the device stays unbound
     * after a restart from a compacted journal, and the file stays deleted.
     */
    @Test
    void aDeviceWhoseFirmwareWasDeletedStaysUnboundAfterACompactedRestart() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                kernel.firmware().delete(GA102);
                kernel.hotplug(Chipset.GA102, Optional.of(PciAddress.parse("0000:01:00.0")), 0xa1);
                kernel.load("nova-core");
                journaling.stopRecording();
            }
            journal.compact();
        }
        try (var journal = Journal.open(dir, 1000)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                Replay.run(kernel, journal, journaling);
                journaling.stopRecording();
                var device = kernel.bus().find(PciAddress.parse("0000:01:00.0")).orElseThrow();
                assertThat(kernel.driverCore().binding(device)).isEmpty();
                assertThat(kernel.firmware().find(GA102)).isEmpty();
            }
        }
    }

    /**
     * A device bound before its firmware was deleted stays bound after a restart, as acknowledged (a
     * bound driver has loaded its firmware already); the file stays deleted, and the next bind fails.
     */
    @Test
    void aDeviceBoundBeforeItsFirmwareWasDeletedStaysBoundAfterARestart() throws Exception {
        try (var journal = Journal.open(dir, 1000)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                kernel.hotplug(Chipset.GA102, Optional.of(PciAddress.parse("0000:01:00.0")), 0xa1);
                kernel.load("nova-core");
                kernel.firmware().delete(GA102);
                journaling.stopRecording();
            }
        }
        try (var journal = Journal.open(dir, 1000)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                Replay.run(kernel, journal, journaling);
                journaling.stopRecording();
                var device = kernel.bus().find(PciAddress.parse("0000:01:00.0")).orElseThrow();
                assertThat(kernel.driverCore().binding(device)).isPresent();
                assertThat(kernel.firmware().find(GA102)).isEmpty();
            }
        }
    }

    /**
     * A loop of the largest files, journal compacted every 10 records: the file never holds more than
     * the snapshot of a full store plus what comes between two compactions.
     */
    @Test
    void theJournalStaysBoundedUnderALoopOfTheLargestFiles() throws Exception {
        long[] largest = {0};
        change(10, store -> {
            for (int i = 0; i < 200; i++) {
                var image = new byte[FirmwareStore.MAX_FILE_BYTES];
                Arrays.fill(image, (byte) i);
                store.put("nvidia/ga102/gsp/f" + (i % FirmwareStore.MAX_EXTRA_FILES) + ".bin", image);
                largest[0] = Math.max(largest[0], contentBytes());
            }
        });
        // a full snapshot (16 extra files) and 10 more records of about 87 KB each
        long record = 4 * (FirmwareStore.MAX_FILE_BYTES + 2) / 3 + 400;
        assertThat(largest[0]).isLessThan((FirmwareStore.MAX_EXTRA_FILES + 10 + 1) * record);
        System.out.printf("firmware loop: journal content at most %d bytes (a record at most %d)%n", largest[0], record);
    }

    /**
     * The same loop with compaction by count out of reach (every 1000 records): compaction by size
     * ({@link Compaction#BYTES_SEGMENTS} segments, or twice the snapshot) keeps the journal to a few
     * snapshots; by count alone it would hold all 200 files, 17.6 MB.
     */
    @Test
    void aLoopOfLargeFilesCompactsByBytesWhenTheCountIsFarOff() throws Exception {
        long[] largest = {0};
        var settings = new Journal.Settings(1000, 65536, Journal.Recovery.NONE, JournalFiles.DISK);
        change(settings, store -> {
            for (int i = 0; i < 200; i++) {
                var image = new byte[FirmwareStore.MAX_FILE_BYTES];
                Arrays.fill(image, (byte) i);
                store.put("nvidia/ga102/gsp/f" + (i % FirmwareStore.MAX_EXTRA_FILES) + ".bin", image);
                largest[0] = Math.max(largest[0], contentBytes());
            }
        });
        long record = 4 * (FirmwareStore.MAX_FILE_BYTES + 2) / 3 + 400;
        long snapshot = FirmwareStore.MAX_EXTRA_FILES * record;
        assertThat(largest[0]).isLessThan(snapshot + Math.max(Compaction.BYTES_SEGMENTS * 65536L, 2 * snapshot) + record);
        System.out.printf("firmware loop, compaction by bytes: journal content at most %d bytes%n", largest[0]);
    }

    /**
     * The largest operation a firmware change makes (a 64 KiB file under a 255-character name) fits the
     * reserve of the default segment, so a full disk is met before it, as before every other change.
     */
    @Test
    void theLargestFirmwareRecordFitsTheReserveOfTheDefaultSegment() {
        String name = "nvidia/ga102/gsp/" + "x".repeat(FirmwareStore.MAX_NAME_LENGTH - "nvidia/ga102/gsp/".length());
        var largest = JournalRecord.FirmwareInstalled.of(name, new byte[FirmwareStore.MAX_FILE_BYTES]);
        int framed = new RecordFraming(Long.MAX_VALUE / 2).operation(List.of(JournalCodec.encode(largest))).length;

        assertThat(JournalCodec.decode(JournalCodec.encode(largest))).contains(largest);
        assertThat(framed).isLessThan(88_000).isLessThan(Journal.Settings.SEGMENT_BYTES / 2);
        System.out.printf("the largest firmware record: %d bytes on its line%n", framed);
    }

    @Test
    void theStoreRefusesMoreThanItsBoundWithTheErrnosItUses() {
        var store = FirmwareStore.preinstalled();
        for (int i = 0; i < FirmwareStore.MAX_EXTRA_FILES; i++) {
            store.put("nvidia/ga102/gsp/f" + i + ".bin", new byte[1]);
        }
        assertThatThrownBy(() -> store.put("nvidia/ga102/gsp/more.bin", new byte[1]))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOSPC));
        store.delete(GA102);
        store.put(GA102, new byte[1]); // a preinstalled name is not an extra file
        assertThatThrownBy(() -> store.put(EXTRA.replace("extra", "big"), new byte[FirmwareStore.MAX_FILE_BYTES + 1]))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.errno()).isEqualTo(Errno.E2BIG));
    }

    /** A journal written before firmware was journaled (every record of then) replays with the defaults. */
    @Test
    void aJournalWithoutFirmwareRecordsReplaysWithThePreinstalledFiles() throws Exception {
        var lines = Files.readAllLines(Path.of("src/test/resources/journal/every-record.jsonl")).stream()
                .filter(line -> !line.contains("\"op\":\"firmware.")).toList();
        Files.write(dir.resolve(Journal.FILE), lines);

        assertThat(restart(1000)).isEqualTo(files(FirmwareStore.preinstalled()));
    }

    /** The bytes the journal's records take (the file is preallocated: its zeros are not records). */
    private long contentBytes() {
        try (var lines = Files.lines(dir.resolve(Journal.FILE))) {
            return lines.filter(line -> !line.isBlank() && line.charAt(0) == '{').mapToLong(line -> line.length() + 1).sum();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Changes the store of a journaled kernel that starts from the journal; returns its files. */
    private Map<String, String> change(int compactEvery, Consumer<FirmwareStore> change) throws Exception {
        return change(Journal.Settings.compactingEvery(compactEvery), change);
    }

    private Map<String, String> change(Journal.Settings settings, Consumer<FirmwareStore> change) throws Exception {
        try (var journal = Journal.open(dir, settings)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                Replay.run(kernel, journal, journaling);
                change.accept(kernel.firmware());
                journaling.stopRecording();
                return files(kernel.firmware());
            }
        }
    }

    private Map<String, String> restart(int compactEvery) throws Exception {
        try (var journal = Journal.open(dir, compactEvery)) {
            var journaling = new Journaling(journal);
            try (var kernel = new Kernel(new KernelConfig(4, false), Clock.system(), List.of(journaling))) {
                Replay.run(kernel, journal, journaling);
                journaling.stopRecording();
                return files(kernel.firmware());
            }
        }
    }

    /** Every file, by name, as hex. */
    private static Map<String, String> files(FirmwareStore store) {
        var files = new TreeMap<String, String>();
        store.list().forEach(entry -> files.put(entry.name(), hex(store.get(entry.name()))));
        return files;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
