package dev.novahost.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import tools.jackson.databind.json.JsonMapper;

/**
 * The host's durable journal: one JSON object per line, each forced to disk before {@link #append}
 * returns, so that a change the API acknowledged survives {@code kill -9}.
 *
 * <p>Each line carries a CRC32 of its own text, so a record torn by a crash in the middle of a write
 * is told apart from a good one; the torn tail is dropped (and the file truncated to the last good
 * record) when the journal is opened. The records of one operation (a hot-unplug is an unbind and a
 * removal) are appended together and marked {@code "more"} but for the last, so that an operation a
 * crash cut short is dropped whole, never replayed half done. Every {@code compactEvery} records the
 * journal is rewritten as the shortest list of records that gives the same state, written to a
 * temporary file, forced, and renamed over the old one, so the file never grows without bound and a
 * crash mid-compaction leaves either the old or the new journal.
 *
 * <p>Thread-safety: {@code append} is serialised on {@code this}; the state fold happens under the same
 * lock, so the journal's order is the order changes were acknowledged in.
 */
public final class Journal implements AutoCloseable {

    public static final String FILE = "journal.jsonl";
    private static final String CRC_FIELD = ",\"crc\":\"";
    /** On every record of an operation but its last. */
    private static final String MORE = "more";

    private final Path dir;
    private final Path file;
    private final int compactEvery;
    private final JsonMapper json = JsonMapper.builder().build();
    private final HostState state = new HostState();
    private final List<Map<String, String>> replay;
    private final Optional<String> tornTail;
    private FileChannel channel;
    private long seq;
    private int sinceCompaction;

    private Journal(Path dir, int compactEvery) throws IOException {
        this.dir = dir;
        this.file = dir.resolve(FILE);
        this.compactEvery = compactEvery;
        Files.createDirectories(dir);
        this.tornTail = readAndTruncate();
        this.replay = state.snapshot();
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    /** Opens (or creates) the journal in {@code dir}, reading what it holds. */
    public static Journal open(Path dir, int compactEvery) throws IOException {
        return new Journal(dir, compactEvery);
    }

    /** What the journal held when opened, as records to replay in order. */
    public List<Map<String, String>> replay() {
        return replay;
    }

    /** The torn last record dropped at open, if there was one. */
    public Optional<String> tornTail() {
        return tornTail;
    }

    public Path file() {
        return file;
    }

    /** Appends one record and forces it to disk. */
    public void append(Map<String, String> record) {
        append(List.of(record));
    }

    /** Appends the records of one operation and forces them to disk together: after a crash, all or none. */
    public synchronized void append(List<Map<String, String>> operation) {
        try {
            for (int i = 0; i < operation.size(); i++) {
                var record = operation.get(i);
                if (i < operation.size() - 1) {
                    record = new LinkedHashMap<>(record);
                    record.put(MORE, "true");
                }
                write(channel, record);
            }
            channel.force(false);
            operation.forEach(state::apply);
            sinceCompaction += operation.size();
            if (sinceCompaction >= compactEvery) {
                compact();
            }
        } catch (IOException e) {
            throw new JournalException("Could not write the journal " + file, e);
        }
    }

    /** Rewrites the journal as a snapshot of the current state. */
    public synchronized void compact() throws IOException {
        Path fresh = dir.resolve(FILE + ".compacting");
        try (var out = FileChannel.open(fresh, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (var record : state.snapshot()) {
                write(out, record);
            }
            out.force(true);
        }
        channel.close();
        Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory();
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        sinceCompaction = 0;
    }

    private void write(FileChannel out, Map<String, String> record) throws IOException {
        var fields = new LinkedHashMap<String, Object>();
        fields.put("seq", ++seq);
        fields.putAll(record);
        String body = json.writeValueAsString(fields);
        String prefix = body.substring(0, body.length() - 1);
        String line = prefix + CRC_FIELD + crc(prefix) + "\"}\n";
        var bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /**
     * Reads every good record into the state, an operation at a time; truncates the file after the last
     * whole operation.
     */
    private Optional<String> readAndTruncate() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        byte[] content = Files.readAllBytes(file);
        int goodLength = 0;
        int start = 0;
        var operation = new ArrayList<Map<String, String>>();
        while (start < content.length) {
            int end = indexOf(content, (byte) '\n', start);
            String line = new String(content, start, (end < 0 ? content.length : end) - start, StandardCharsets.UTF_8);
            var record = end < 0 ? Optional.<Map<String, String>>empty() : parse(line);
            if (record.isEmpty()) {
                break;
            }
            boolean more = record.get().remove(MORE) != null;
            operation.add(record.get());
            start = end + 1;
            if (!more) {
                operation.forEach(state::apply);
                operation.clear();
                goodLength = start;
            }
        }
        if (goodLength == content.length) {
            return Optional.empty();
        }
        // a torn record, or the first records of an operation a crash cut short: dropped together
        try (var out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            out.truncate(goodLength);
            out.force(true);
        }
        return Optional.of(new String(content, goodLength, content.length - goodLength, StandardCharsets.UTF_8));
    }

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
                if (field.getKey().equals("seq")) {
                    seq = Math.max(seq, field.getValue().asLong());
                } else {
                    record.put(field.getKey(), field.getValue().asString());
                }
            }
            return Optional.of(record);
        } catch (RuntimeException notJson) {
            return Optional.empty();
        }
    }

    private static String crc(String text) {
        var crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    private static int indexOf(byte[] bytes, byte wanted, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
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

    /** The journal could not be written: the change it was asked to record is not durable. */
    public static final class JournalException extends RuntimeException {
        JournalException(String message, IOException cause) {
            super(message, cause);
        }
    }
}
