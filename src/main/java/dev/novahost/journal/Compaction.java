package dev.novahost.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the journal from growing without bound, as etcd replaces the WAL behind a snapshot: every
 * {@code compactEvery} records, or sooner when the records since the last compaction take {@link
 * #BYTES_SEGMENTS} segments (or twice the last snapshot, if that is more: firmware files make records of
 * up to 88 KB, and a loop of them would otherwise grow the journal by 88 MB between two compactions), the
 * journal is rewritten as the shortest list of records that gives the
 * same state ({@link HostState#snapshot()}), into a temporary file, preallocated, forced, and renamed
 * over the old one, the directory forced after. A crash mid-compaction leaves either the old or the new
 * journal, never a mix.
 *
 * <p>Best effort: the operation that made a compaction due is already on disk, so a failed compaction
 * (a read-only or full data folder) is a WARN line, the old journal stays, and it is tried again {@code
 * compactEvery} records later.
 *
 * <p>Not thread-safe: the {@link Journal} calls it under its lock.
 */
final class Compaction {

    private static final Logger log = LoggerFactory.getLogger(Compaction.class);

    private final Path dir;
    private final Path file;
    private final Journal.Settings settings;
    /** Segments of records between two compactions, whatever their count. */
    static final int BYTES_SEGMENTS = 16;

    private int sinceCompaction;
    private int nextCompaction;
    private long bytesSinceCompaction;
    private long nextCompactionBytes;

    Compaction(Path dir, Path file, Journal.Settings settings) {
        this.dir = dir;
        this.file = file;
        this.settings = settings;
        this.nextCompaction = settings.compactEvery();
        this.nextCompactionBytes = bytesBudget(0);
    }

    private long bytesBudget(long snapshotBytes) {
        return Math.max((long) BYTES_SEGMENTS * settings.segmentBytes(), 2 * snapshotBytes);
    }

    /** Counts {@code records} of {@code bytes} just appended; true when that makes a compaction due. */
    boolean due(int records, long bytes) {
        sinceCompaction += records;
        bytesSinceCompaction += bytes;
        return sinceCompaction >= nextCompaction || bytesSinceCompaction >= nextCompactionBytes;
    }

    /**
     * Writes {@code snapshot} as a new journal and renames it over {@code current}, which is closed; returns
     * the file the journal goes on in. On failure {@code current} is untouched and still the journal.
     */
    SegmentFile rewrite(SegmentFile current, RecordFraming framing, List<JournalRecord> snapshot) throws IOException {
        Path fresh = file.resolveSibling(file.getFileName() + ".compacting");
        FileChannel out = settings.files().open(fresh, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        SegmentFile compacted;
        byte[] content = framing.snapshot(snapshot.stream().map(JournalCodec::encode).toList());
        try {
            compacted = SegmentFile.startingWith(out, settings.segmentBytes(), content);
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            out.close();
            Files.deleteIfExists(fresh);
            throw e;
        }
        forceDirectory();
        current.close();
        sinceCompaction = 0;
        nextCompaction = settings.compactEvery();
        bytesSinceCompaction = 0;
        nextCompactionBytes = bytesBudget(content.length);
        return compacted; // still the file opened as fresh, now under its final name
    }

    /** A failed compaction: the journal stays as it is until {@code compactEvery} more records. */
    void postpone(Exception why) {
        nextCompaction = sinceCompaction + settings.compactEvery();
        nextCompactionBytes = bytesSinceCompaction + bytesBudget(0);
        log.warn("journal {}: compaction failed ({}); the journal stays as it is, compaction is tried again"
                + " after {} more records", file, why.toString(), settings.compactEvery());
    }

    /** The rename itself must reach the disk, or a crash could bring the old file back. */
    private void forceDirectory() {
        try (var directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException unsupported) {
            // some file systems cannot open a directory for reading; the rename is still atomic
        }
    }
}
