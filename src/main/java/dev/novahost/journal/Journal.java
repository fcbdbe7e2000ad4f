package dev.novahost.journal;

import dev.novahost.kernel.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The host's durable journal: one JSON object per line, each forced to disk before {@link #append}
 * returns, so that a change the API acknowledged survives {@code kill -9}.
 *
 * <p>Each line carries a CRC32 of its own text, so a record torn by a crash in the middle of a write
 * is told apart from a good one. The records of one operation (a hot-unplug is an unbind and a removal)
 * are written together and marked {@code "more"} but for the last, so that an operation a crash cut
 * short is dropped whole, never replayed half done.
 *
 * <p>At open, what follows the last whole operation decides: nothing (or only zeros) is a clean
 * journal; damage with no valid record after it is a <em>torn tail</em>, the last write a crash cut
 * short, dropped with a WARN line; damage followed by valid records cannot be a crash (each operation
 * was on disk before the next was written) but a changed byte, so the journal refuses to open and
 * leaves the file as it is, unless {@link Recovery#TRUNCATE} asks to cut it there (a copy is kept
 * aside first). So does etcd: it repairs a WAL only at an unexpected end of file, and refuses one whose
 * checksum fails in the middle.
 *
 * <p>Space, as etcd's WAL and PostgreSQL's WAL segments: the file is preallocated, zero-filled, a
 * segment at a time, and records are written in place into the zeros; the reader takes the zeros as the
 * end. {@link #reserve()} keeps at least half a segment free ahead of the last record, and a request
 * calls it <em>before</em> it changes the kernel, so a full disk refuses the change with nothing changed
 * ({@code ENOSPC}) instead of failing half way through a record. A write or an fsync that still fails
 * after a change is never retried over the half record (after a failed fsync Linux may have dropped the
 * dirty pages and a second fsync can report success): the half record is zeroed and the journal stops
 * taking changes, as PostgreSQL PANICs, until a restart brings the host back to what is on disk. Half a
 * segment holds the largest operation (a reset of a full host: 51 KB) and every request in flight at
 * once; an operation that still finds no room grows the file itself, and a failure there is one after
 * the change.
 *
 * <p>Every {@code compactEvery} records the journal is rewritten as the shortest list of records that
 * gives the same state, into a temporary file, preallocated, forced, and renamed over the old one, so
 * the file never grows without bound and a crash mid-compaction leaves either the old or the new
 * journal. Compaction is best effort: the operation that triggered it is already on disk, so a failed
 * compaction (a read-only or full data folder) is a WARN line and is tried again later.
 *
 * <p>Thread-safety: every method that touches the file is serialised on {@code this}; the state fold
 * happens under the same lock, so the journal's order is the order changes were acknowledged in.
 */
public final class Journal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    public static final String FILE = "journal.jsonl";
    private static final String CRC_FIELD = ",\"crc\":\"";
    /** On every record of an operation but its last. */
    private static final String MORE = "more";
    private static final int ZERO_CHUNK = 64 * 1024;

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

    private final Path dir;
    private final Path file;
    private final Settings settings;
    private final JsonMapper json = JsonMapper.builder().build();
    private final HostState state = new HostState();
    private final List<JournalRecord> replay;
    private final Optional<String> tornTail;
    private FileChannel channel;
    /** Where the last good record ends: the next one is written here, over zeros. */
    private long end;
    /** The file's size: zeros from {@link #end} to here are already on disk. */
    private long allocated;
    private long seq;
    private int sinceCompaction;
    private int nextCompaction;
    /** Set once a write failed after a change: why the journal takes no more changes. */
    private String failed;

    private Journal(Path dir, Settings settings) throws IOException {
        this.dir = dir;
        this.file = dir.resolve(FILE);
        this.settings = settings;
        this.nextCompaction = settings.compactEvery();
        Files.createDirectories(dir);
        this.channel = settings.files().open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            this.tornTail = read();
            this.replay = state.snapshot();
            this.allocated = channel.size();
            preallocateAtOpen();
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
        refuseIfFailed();
        if (allocated - end >= settings.segmentBytes() / 2) {
            return;
        }
        try {
            allocated = extend(channel, end + settings.segmentBytes());
        } catch (IOException e) {
            allocated = sizeOr(allocated);
            var errno = errnoOf(e);
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
        write(operation.stream().map(JournalCodec::encode).toList());
        operation.forEach(state::apply);
        appended(operation.size());
    }

    /** One line as raw fields, for a test that writes what the codec would not (an op of a newer build). */
    void append(Map<String, String> record) {
        append(List.of(record));
    }

    /** {@link #appendOperation}, as the raw fields of its lines. */
    synchronized void append(List<Map<String, String>> operation) {
        write(operation);
        operation.forEach(this::fold);
        appended(operation.size());
    }

    private void write(List<Map<String, String>> operation) {
        refuseIfFailed();
        byte[] bytes = encode(operation, true);
        long at = end;
        try {
            if (at + bytes.length > allocated) {
                allocated = extend(channel, at + bytes.length + settings.segmentBytes()); // larger than the reserve
            }
            writeFully(channel, bytes, at);
            channel.force(false); // the size did not change: the data is all there is to force
        } catch (IOException e) {
            throw failStop(at, bytes.length, e);
        }
        end = at + bytes.length;
    }

    private void appended(int records) {
        sinceCompaction += records;
        if (sinceCompaction >= nextCompaction) {
            compactOrPostpone();
        }
    }

    /** A record this build cannot read (an unknown op, written by a newer build) is skipped, and said so. */
    private void fold(Map<String, String> fields) {
        JournalCodec.decode(fields).ifPresentOrElse(state::apply, () -> log.warn("journal {}: skipped a record this"
                + " build cannot read (an unknown op, or a field missing or out of its range): {}", file, fields));
    }

    /** Rewrites the journal as a snapshot of the current state. */
    public synchronized void compact() throws IOException {
        Path fresh = dir.resolve(FILE + ".compacting");
        var out = settings.files().open(fresh, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        byte[] bytes = encode(state.snapshot().stream().map(JournalCodec::encode).toList(), false);
        try {
            writeFully(out, bytes, 0);
            extend(out, bytes.length + (long) settings.segmentBytes());
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            out.close();
            Files.deleteIfExists(fresh);
            throw e;
        }
        forceDirectory();
        channel.close();
        channel = out; // still the file, now under its final name
        end = bytes.length;
        allocated = out.size();
        sinceCompaction = 0;
        nextCompaction = settings.compactEvery();
    }

    /** After the acknowledgement's record is on disk: a failure is logged and tried again later. */
    private void compactOrPostpone() {
        try {
            compact();
        } catch (IOException | RuntimeException e) {
            nextCompaction = sinceCompaction + settings.compactEvery();
            log.warn("journal {}: compaction failed ({}); the journal stays as it is, compaction is tried again"
                    + " after {} more records", file, e.toString(), settings.compactEvery());
        }
    }

    private void refuseIfFailed() {
        if (failed != null) {
            throw new JournalException(Errno.EIO, "The journal " + file + " failed earlier (" + failed + ") and"
                    + " takes no more changes: restart nova-host, it comes back with every acknowledged change", null);
        }
    }

    /**
     * A write or fsync failed after the caller changed the kernel. The half record is zeroed (never
     * written over blindly) and the journal stops: the live state is now ahead of the disk.
     */
    private JournalException failStop(long at, int length, IOException cause) {
        try {
            writeZeros(channel, at, at + length);
            channel.force(false);
        } catch (IOException alsoFailed) {
            cause.addSuppressed(alsoFailed);
        }
        allocated = sizeOr(allocated);
        failed = cause.getMessage();
        log.error("journal {}: a write failed after the change was made ({}); the change is not durable and the"
                + " journal takes no more changes until nova-host restarts", file, cause.getMessage());
        return new JournalException(errnoOf(cause), "The journal " + file + " could not record the change ("
                + cause.getMessage() + "): it is not durable, and nova-host takes no more changes until it is"
                + " restarted (it then comes back with every acknowledged change)", cause);
    }

    private long sizeOr(long fallback) {
        try {
            return channel.size();
        } catch (IOException e) {
            return fallback;
        }
    }

    /** At open, a full disk is not a reason to refuse to start: reads still work, changes get ENOSPC. */
    private void preallocateAtOpen() {
        try {
            if (allocated - end < settings.segmentBytes() / 2) {
                allocated = extend(channel, end + settings.segmentBytes());
            }
        } catch (IOException e) {
            allocated = sizeOr(allocated);
            log.warn("journal {}: could not preallocate ({}); changes will be refused until there is room", file,
                    e.getMessage());
        }
    }

    /**
     * Zero-fills {@code out} up to {@code size} and forces it with its new size; returns that size. A
     * failed extension gives back what it took (as PostgreSQL removes a segment it could not fill), so
     * the journal does not keep the last free bytes of the disk from everyone else.
     */
    private static long extend(FileChannel out, long size) throws IOException {
        long before = out.size();
        try {
            writeZeros(out, before, size);
            out.force(true);
        } catch (IOException e) {
            try {
                out.truncate(before);
            } catch (IOException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        return size;
    }

    private static void writeZeros(FileChannel out, long from, long to) throws IOException {
        var zeros = ByteBuffer.allocate(ZERO_CHUNK);
        for (long at = from; at < to; ) {
            zeros.clear().limit((int) Math.min(ZERO_CHUNK, to - at));
            while (zeros.hasRemaining()) {
                at += out.write(zeros, at);
            }
        }
    }

    private static void writeFully(FileChannel out, byte[] bytes, long at) throws IOException {
        var buffer = ByteBuffer.wrap(bytes);
        for (long position = at; buffer.hasRemaining(); ) {
            position += out.write(buffer, position);
        }
    }

    /** The lines of the records, each with its sequence number and checksum; {@code more} marks an operation. */
    private byte[] encode(List<Map<String, String>> records, boolean oneOperation) {
        var text = new StringBuilder();
        for (int i = 0; i < records.size(); i++) {
            var fields = new LinkedHashMap<String, Object>();
            fields.put("seq", ++seq);
            fields.putAll(records.get(i));
            if (oneOperation && i < records.size() - 1) {
                fields.put(MORE, "true");
            }
            String body = json.writeValueAsString(fields);
            String prefix = body.substring(0, body.length() - 1);
            text.append(prefix).append(CRC_FIELD).append(crc(prefix)).append("\"}\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads every whole operation into the state; returns what was dropped as a torn tail.
     *
     * @throws Damaged damage with valid records after it, and {@link Recovery#NONE}
     */
    private Optional<String> read() throws IOException {
        byte[] content = readAll();
        int contentEnd = content.length;
        while (contentEnd > 0 && content[contentEnd - 1] == 0) {
            contentEnd--; // the preallocated rest
        }
        int goodLength = 0;
        int goodLines = 0;
        int start = 0;
        int line = 0;
        String damage = null;
        var operation = new ArrayList<Map<String, String>>();
        while (start < contentEnd) {
            line++;
            int lineEnd = indexOf(content, (byte) '\n', start, contentEnd);
            var record = lineEnd < 0 ? Optional.<Map<String, String>>empty() : parse(text(content, start, lineEnd));
            if (record.isEmpty()) {
                damage = lineEnd < 0 ? "it has no line end" : why(text(content, start, lineEnd));
                break;
            }
            boolean more = record.get().remove(MORE) != null;
            seq = Math.max(seq, Long.parseLong(record.get().remove("seq")));
            operation.add(record.get());
            start = lineEnd + 1;
            if (!more) {
                operation.forEach(this::fold);
                operation.clear();
                goodLength = start;
                goodLines = line;
            }
        }
        end = goodLength;
        if (goodLength == contentEnd) {
            return Optional.empty();
        }
        int damagedLine = damage == null ? goodLines + 1 : line;
        int validAfter = damage == null ? 0 : validRecords(content, start, contentEnd);
        if (validAfter > 0) {
            recover(damagedLine, damage, validAfter, goodLength);
            return Optional.empty();
        }
        String torn = text(content, goodLength, contentEnd);
        log.warn("journal {}: dropped a torn tail from line {} on ({} bytes, {}): the last write a crash cut short,"
                + " never acknowledged: {}", file, damagedLine, contentEnd - goodLength,
                damage == null ? "an operation that never finished" : "a record " + damage, preview(torn));
        cutAt(goodLength);
        return Optional.of(torn);
    }

    /** A changed byte, not a crash: refuse, or keep a copy and cut there when the operator asked. */
    private void recover(int line, String damage, int validAfter, long goodLength) throws IOException {
        String where = "line " + line + " of " + file;
        if (settings.recovery() == Recovery.NONE) {
            throw new Damaged(file, line, "The journal " + file + " is damaged at line " + line + " (" + damage
                    + ") and " + validAfter + " valid records follow it, so it is not a torn tail; it was left"
                    + " untouched");
        }
        Path aside = dir.resolve(FILE + ".damaged-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
                .withZone(ZoneOffset.UTC).format(Instant.now()));
        Files.copy(file, aside, StandardCopyOption.COPY_ATTRIBUTES);
        log.warn("journal {}: {} is damaged ({}); as nova.journal-recover=truncate asks, the file was cut there and"
                + " {} valid records after it were dropped; the damaged file is kept as {}", file, where, damage,
                validAfter, aside);
        cutAt(goodLength);
    }

    private void cutAt(long length) throws IOException {
        channel.truncate(length);
        channel.force(true);
    }

    private int validRecords(byte[] content, int from, int to) {
        int valid = 0;
        for (int start = from; start < to; ) {
            int lineEnd = indexOf(content, (byte) '\n', start, to);
            if (lineEnd < 0) {
                break;
            }
            if (parse(text(content, start, lineEnd)).isPresent()) {
                valid++;
            }
            start = lineEnd + 1;
        }
        return valid;
    }

    private byte[] readAll() throws IOException {
        long size = channel.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("The journal " + file + " is " + size + " bytes, more than it can ever hold");
        }
        var buffer = ByteBuffer.allocate((int) size);
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
            // read on until full or at the end
        }
        return buffer.array();
    }

    /** The record on a line, with its {@code seq}, if the line is one whole record whose checksum matches. */
    private Optional<Map<String, String>> parse(String line) {
        int crcAt = line.lastIndexOf(CRC_FIELD);
        if (crcAt < 0 || !line.endsWith("\"}")) {
            return Optional.empty();
        }
        String prefix = line.substring(0, crcAt);
        String crc = line.substring(crcAt + CRC_FIELD.length(), line.length() - 2);
        if (!crc(prefix).equals(crc)) {
            return Optional.empty();
        }
        try {
            var node = json.readTree(prefix + "}");
            var record = new LinkedHashMap<String, String>();
            for (var field : node.properties()) {
                record.put(field.getKey(), field.getValue().asString());
            }
            return record.containsKey("seq") ? Optional.of(record) : Optional.empty();
        } catch (RuntimeException notJson) {
            return Optional.empty();
        }
    }

    /** Why {@link #parse} refused a line, for the operator. */
    private static String why(String line) {
        int crcAt = line.lastIndexOf(CRC_FIELD);
        if (crcAt < 0 || !line.endsWith("\"}")) {
            return "it is not a whole record";
        }
        return crc(line.substring(0, crcAt)).equals(line.substring(crcAt + CRC_FIELD.length(), line.length() - 2))
                ? "its checksum matches but it is not a record" : "its checksum does not match";
    }

    private static String crc(String text) {
        var crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    private static String text(byte[] content, int from, int to) {
        return new String(content, from, to - from, StandardCharsets.UTF_8);
    }

    private static String preview(String text) {
        String printable = text.replaceAll("[\\p{Cntrl}&&[^\n]]", "?").replace("\n", "\\n");
        return printable.length() <= 160 ? printable : printable.substring(0, 160) + "...";
    }

    private static int indexOf(byte[] bytes, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static Errno errnoOf(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("No space left on device") || message.contains("Disk quota exceeded")
                ? Errno.ENOSPC : Errno.EIO;
    }

    /** The rename itself must reach the disk, or a crash could bring the old file back. */
    private void forceDirectory() {
        try (var directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException unsupported) {
            // some file systems cannot open a directory for reading; the rename is still atomic
        }
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
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
