package dev.novahost.journal;

import dev.novahost.kernel.Errno;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's durable journal, a write-ahead log in etcd's and PostgreSQL's manner: each operation is
 * forced to disk before {@link #appendOperation} returns, so that a change the API acknowledged
 * survives {@code kill -9}; the state it folds to is what a restart replays. This class keeps the order
 * of the steps and the lock; each step is a class of its own:
 * <ul>
 *   <li>{@link RecordFraming}: a line per record, with its sequence number and checksum, and the records
 *       of one operation (a hot-unplug is an unbind and a removal) marked so a crash drops them whole;</li>
 *   <li>{@link CrashRecovery}: at open, whole operations are read, a torn tail is cut off, and damage in
 *       the middle refuses to open unless {@link Recovery#TRUNCATE} asks to cut it;</li>
 *   <li>{@link SegmentFile}: the file preallocated a segment at a time; {@link #reserve()}, called
 *       <em>before</em> a change, meets a full disk with nothing changed ({@code ENOSPC});</li>
 *   <li>{@link FailStop}: a write that fails after a change stops the journal until a restart;</li>
 *   <li>{@link Compaction}: every {@code compactEvery} records (or 16 segments of them) the journal is
 *       rewritten as a snapshot.</li>
 * </ul>
 *
 * <p>Thread-safety: every method that touches the file is serialised on {@code this}; the state fold
 * happens under the same lock, so the journal's order is the order changes were acknowledged in.
 */
public final class Journal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    public static final String FILE = "journal.jsonl";

    /** What to do with a journal damaged in its middle (a changed byte followed by valid records). */
    public enum Recovery {
        /** Refuse to open it, and leave the file untouched: the operator decides. */
        NONE,
        /** Keep a copy of the file aside, then cut it before the damaged line. */
        TRUNCATE
    }

    /**
     * @param compactEvery records between two compactions
     * @param segmentBytes how much the file grows at a time, zero-filled; half of it is kept free
     * @param recovery     what a damaged journal gets
     * @param files        how files are opened (the disk, or a test's disk that fills up)
     */
    public record Settings(int compactEvery, int segmentBytes, Recovery recovery, JournalFiles files) {

        public static final int SEGMENT_BYTES = 1 << 20;

        public Settings {
            if (segmentBytes < 4096) {
                throw new IllegalArgumentException("A journal segment needs at least 4096 bytes, got " + segmentBytes);
            }
        }

        public static Settings compactingEvery(int compactEvery) {
            return new Settings(compactEvery, SEGMENT_BYTES, Recovery.NONE, JournalFiles.DISK);
        }
    }

    private final Path file;
    private final HostState state = new HostState();
    private final List<JournalRecord> replay;
    private final Optional<String> tornTail;
    private final RecordFraming framing;
    private final FailStop failStop;
    private final Compaction compaction;
    private SegmentFile segment;

    private Journal(Path dir, Settings settings) throws IOException {
        this.file = dir.resolve(FILE);
        this.failStop = new FailStop(file);
        this.compaction = new Compaction(dir, file, settings);
        Files.createDirectories(dir);
        FileChannel channel = settings.files().open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            var recovered = CrashRecovery.read(file, channel, settings.recovery());
            recovered.records().forEach(this::fold);
            this.framing = new RecordFraming(recovered.lastSeq());
            this.tornTail = recovered.tornTail();
            this.replay = state.snapshot();
            this.segment = SegmentFile.resume(file, channel, settings.segmentBytes(), recovered.end());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Opens (or creates) the journal in {@code dir}, reading what it holds. */
    public static Journal open(Path dir, int compactEvery) throws IOException {
        return open(dir, Settings.compactingEvery(compactEvery));
    }

    /**
     * Opens (or creates) the journal in {@code dir}, reading what it holds.
     *
     * @throws Damaged     the journal is damaged in its middle and {@link Recovery#NONE} was asked
     * @throws IOException the data folder or the file cannot be read or written
     */
    public static Journal open(Path dir, Settings settings) throws IOException {
        return new Journal(dir, settings);
    }

    /** What the journal held when opened, as records to replay in order. */
    public List<JournalRecord> records() {
        return replay;
    }

    /** {@link #records()} as the fields of their lines (for tests that read what was written). */
    List<Map<String, String>> replay() {
        return replay.stream().map(JournalCodec::encode).toList();
    }

    /** The torn last record dropped at open, if there was one. */
    public Optional<String> tornTail() {
        return tornTail;
    }

    public Path file() {
        return file;
    }

    /**
     * Makes sure the next operation has room on disk, before the caller changes anything: growing the
     * file here is the only place a full disk is met.
     *
     * @throws JournalException {@code ENOSPC} when the disk is full, {@code EIO} when it fails or the
     *                          journal already failed; nothing was written
     */
    public synchronized void reserve() {
        failStop.refuseIfStopped();
        try {
            segment.reserve();
        } catch (IOException e) {
            var errno = JournalException.errnoOf(e);
            log.warn("journal {}: could not grow the file for the next change ({}); the change is refused",
                    file, e.getMessage());
            throw new JournalException(errno, "The journal " + file + " cannot grow (" + e.getMessage()
                    + "); nothing was changed. " + (errno == Errno.ENOSPC
                    ? "Free space in the data folder, then retry." : "Check the disk, then retry."), e);
        }
    }

    /** Appends one record and forces it to disk. */
    public void append(JournalRecord record) {
        appendOperation(List.of(record));
    }

    /**
     * Appends the records of one operation and forces them to disk together: after a crash, all or none.
     *
     * @throws JournalException the operation is not on disk; the journal takes no more changes
     */
    public synchronized void appendOperation(List<JournalRecord> operation) {
        int bytes = write(operation.stream().map(JournalCodec::encode).toList());
        operation.forEach(state::apply);
        appended(operation.size(), bytes);
    }

    /** One line as raw fields, for a test that writes what the codec would not (an op of a newer build). */
    void append(Map<String, String> record) {
        append(List.of(record));
    }

    /** {@link #appendOperation}, as the raw fields of its lines. */
    synchronized void append(List<Map<String, String>> operation) {
        int bytes = write(operation);
        operation.forEach(this::fold);
        appended(operation.size(), bytes);
    }

    /** Returns the bytes written. */
    private int write(List<Map<String, String>> operation) {
        failStop.refuseIfStopped();
        try {
            byte[] lines = framing.operation(operation);
            segment.append(lines);
            return lines.length;
        } catch (IOException e) {
            throw failStop.stop(e);
        }
    }

    /** A record this build cannot read (an unknown op, written by a newer build) is skipped, and said so. */
    private void fold(Map<String, String> fields) {
        JournalCodec.decode(fields).ifPresentOrElse(state::apply, () -> log.warn("journal {}: skipped a record this"
                + " build cannot read (an unknown op, or a field missing or out of its range): {}", file, fields));
    }

    /** After the acknowledgement's record is on disk, so a failure is only postponed. */
    private void appended(int records, long bytes) {
        if (compaction.due(records, bytes)) {
            try {
                compact();
            } catch (IOException | RuntimeException e) {
                compaction.postpone(e);
            }
        }
    }

    /** Rewrites the journal as a snapshot of the current state. */
    public synchronized void compact() throws IOException {
        segment = compaction.rewrite(segment, framing, state.snapshot());
    }

    @Override
    public synchronized void close() throws IOException {
        segment.close();
    }

    /** The journal could not take a change: {@code ENOSPC} or {@code EIO}, and a sentence for the client. */
    public static final class JournalException extends RuntimeException {

        private final Errno errno;

        JournalException(Errno errno, String message, IOException cause) {
            super(message, cause);
            this.errno = errno;
        }

        public Errno errno() {
            return errno;
        }

        /** A full disk (or quota) is {@code ENOSPC}, the client's to fix; anything else is {@code EIO}. */
        static Errno errnoOf(IOException e) {
            String message = String.valueOf(e.getMessage());
            return message.contains("No space left on device") || message.contains("Disk quota exceeded")
                    ? Errno.ENOSPC : Errno.EIO;
        }
    }

    /** The journal is damaged in its middle; the file was left as it was. */
    public static final class Damaged extends IOException {

        private final Path file;
        private final int line;

        Damaged(Path file, int line, String message) {
            super(message);
            this.file = file;
            this.line = line;
        }

        public Path file() {
            return file;
        }

        public int line() {
            return line;
        }
    }
}
