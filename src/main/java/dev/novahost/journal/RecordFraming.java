package dev.novahost.journal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a record sits on its line, as etcd's WAL frames each record with its CRC: one JSON object per
 * line, {@code seq} first, then the record's fields ({@link JournalCodec}'s), {@code "more":"true"} on
 * every record of an operation but its last, and last a {@code crc}, the CRC32 of the text before it.
 * The checksum tells a record torn by a crash from a good one; {@code more} lets the reader drop an
 * operation a crash cut short whole.
 *
 * <p>Not thread-safe: it numbers the lines, under the {@link Journal}'s lock.
 */
final class RecordFraming {

    private static final String CRC_FIELD = ",\"crc\":\"";
    /** On every record of an operation but its last. */
    private static final String MORE = "more";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A line that passed its checksum: its sequence number, whether its operation goes on, its record. */
    record Framed(long seq, boolean more, Map<String, String> fields) { }

    /** The last sequence number given out; the next line gets the one after. */
    private long seq;

    /** Numbers lines on from {@code lastSeq}, the highest one the journal already holds. */
    RecordFraming(long lastSeq) {
        this.seq = lastSeq;
    }

    /** The lines of one operation: all of them but the last marked {@code more}. */
    byte[] operation(List<Map<String, String>> records) {
        return lines(records, true);
    }

    /** The lines of a compacted journal: each record stands alone. */
    byte[] snapshot(List<Map<String, String>> records) {
        return lines(records, false);
    }

    private byte[] lines(List<Map<String, String>> records, boolean oneOperation) {
        var text = new StringBuilder();
        for (int i = 0; i < records.size(); i++) {
            var fields = new LinkedHashMap<String, Object>();
            fields.put("seq", ++seq);
            fields.putAll(records.get(i));
            if (oneOperation && i < records.size() - 1) {
                fields.put(MORE, "true");
            }
            String body = JSON.writeValueAsString(fields);
            String prefix = body.substring(0, body.length() - 1);
            text.append(prefix).append(CRC_FIELD).append(crc(prefix)).append("\"}\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The record on a line, if the line is one whole record whose checksum matches and that has its {@code seq}. */
    static Optional<Framed> parse(String line) {
        int crcAt = line.lastIndexOf(CRC_FIELD);
        if (crcAt < 0 || !line.endsWith("\"}")) {
            return Optional.empty();
        }
        String prefix = line.substring(0, crcAt);
        if (!crc(prefix).equals(line.substring(crcAt + CRC_FIELD.length(), line.length() - 2))) {
            return Optional.empty();
        }
        try {
            var fields = new LinkedHashMap<String, String>();
            for (var field : JSON.readTree(prefix + "}").properties()) {
                fields.put(field.getKey(), field.getValue().asString());
            }
            boolean more = fields.remove(MORE) != null;
            String seq = fields.remove("seq");
            return seq == null ? Optional.empty() : Optional.of(new Framed(Long.parseLong(seq), more, fields));
        } catch (RuntimeException notJson) {
            return Optional.empty();
        }
    }

    /** Why {@link #parse} refused a line, for the operator. */
    static String why(String line) {
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
}
