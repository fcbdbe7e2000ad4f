package dev.novahost.journal;

import dev.novahost.journal.Journal.Damaged;
import dev.novahost.journal.Journal.Recovery;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the journal at start, as PostgreSQL's crash recovery reads its WAL: every whole operation, up
 * to the first line that is not a good record. What follows the last whole operation decides. Nothing
 * (or only the preallocated zeros) is a clean journal. Damage with no valid record after it is a
 * <em>torn tail</em>, the last write a crash cut short, never acknowledged: it is cut off, with a WARN
 * line. Damage followed by valid records cannot be a crash (each operation was on disk before the next
 * was written) but a changed byte: the journal refuses to open and leaves the file as it is ({@link
 * Damaged}), unless {@link Recovery#TRUNCATE} asks to cut it there, a copy kept aside first. So does
 * etcd: it repairs a WAL only at an unexpected end of file, and refuses one whose checksum fails in the
 * middle.
 *
 * <p>Runs once, in the {@link Journal}'s constructor, before anyone else can reach the file.
 */
final class CrashRecovery {

    private static final Logger log = LoggerFactory.getLogger(CrashRecovery.class);

    /**
     * What recovery found.
     *
     * @param records  the fields of every record of every whole operation, in order
     * @param lastSeq  the highest sequence number read, for the lines that follow
     * @param end      where the last whole operation ends: the next record is written there
     * @param tornTail what was cut off as a torn tail, if anything
     */
    record Recovered(List<Map<String, String>> records, long lastSeq, long end, Optional<String> tornTail) { }

    private final Path file;
    private final FileChannel channel;
    private final Recovery recovery;

    private CrashRecovery(Path file, FileChannel channel, Recovery recovery) {
        this.file = file;
        this.channel = channel;
        this.recovery = recovery;
    }

    /**
     * Reads {@code file} (open on {@code channel}) and cuts off what a crash left after its last whole
     * operation.
     *
     * @throws Damaged damage with valid records after it, and {@link Recovery#NONE}; the file is untouched
     */
    static Recovered read(Path file, FileChannel channel, Recovery recovery) throws IOException {
        return new CrashRecovery(file, channel, recovery).read();
    }

    private Recovered read() throws IOException {
        byte[] content = readAll();
        int contentEnd = content.length;
        while (contentEnd > 0 && content[contentEnd - 1] == 0) {
            contentEnd--; // the preallocated rest
        }
        var records = new ArrayList<Map<String, String>>();
        long lastSeq = 0;
        int goodLength = 0;
        int goodLines = 0;
        int start = 0;
        int line = 0;
        String damage = null;
        var operation = new ArrayList<Map<String, String>>();
        while (start < contentEnd) {
            line++;
            int lineEnd = indexOf(content, (byte) '\n', start, contentEnd);
            var framed = lineEnd < 0 ? Optional.<RecordFraming.Framed>empty()
                    : RecordFraming.parse(text(content, start, lineEnd));
            if (framed.isEmpty()) {
                damage = lineEnd < 0 ? "it has no line end" : RecordFraming.why(text(content, start, lineEnd));
                break;
            }
            lastSeq = Math.max(lastSeq, framed.get().seq());
            operation.add(framed.get().fields());
            start = lineEnd + 1;
            if (!framed.get().more()) {
                records.addAll(operation);
                operation.clear();
                goodLength = start;
                goodLines = line;
            }
        }
        if (goodLength == contentEnd) {
            return new Recovered(records, lastSeq, goodLength, Optional.empty());
        }
        int damagedLine = damage == null ? goodLines + 1 : line;
        int validAfter = damage == null ? 0 : validRecords(content, start, contentEnd);
        if (validAfter > 0) {
            cutAtDamage(damagedLine, damage, validAfter, goodLength);
            return new Recovered(records, lastSeq, goodLength, Optional.empty());
        }
        String torn = text(content, goodLength, contentEnd);
        log.warn("journal {}: dropped a torn tail from line {} on ({} bytes, {}): the last write a crash cut short,"
                + " never acknowledged: {}", file, damagedLine, contentEnd - goodLength,
                damage == null ? "an operation that never finished" : "a record " + damage, preview(torn));
        cutAt(goodLength);
        return new Recovered(records, lastSeq, goodLength, Optional.of(torn));
    }

    /** A changed byte, not a crash: refuse, or keep a copy and cut there when the operator asked. */
    private void cutAtDamage(int line, String damage, int validAfter, long goodLength) throws IOException {
        String where = "line " + line + " of " + file;
        if (recovery == Recovery.NONE) {
            throw new Damaged(file, line, "The journal " + file + " is damaged at line " + line + " (" + damage
                    + ") and " + validAfter + " valid records follow it, so it is not a torn tail; it was left"
                    + " untouched");
        }
        Path aside = file.resolveSibling(file.getFileName() + ".damaged-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC).format(Instant.now()));
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

    private static int validRecords(byte[] content, int from, int to) {
        int valid = 0;
        for (int start = from; start < to; ) {
            int lineEnd = indexOf(content, (byte) '\n', start, to);
            if (lineEnd < 0) {
                break;
            }
            if (RecordFraming.parse(text(content, start, lineEnd)).isPresent()) {
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
}
