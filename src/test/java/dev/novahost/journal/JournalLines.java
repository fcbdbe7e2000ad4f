package dev.novahost.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** The journal file as a test reads and damages it: its record lines, without the preallocated zeros. */
final class JournalLines {

    private JournalLines() {
    }

    static List<String> of(Path file) throws IOException {
        return text(file).lines().toList();
    }

    /** Where the records end and the zeros begin: where the next write lands. */
    static long end(Path file) throws IOException {
        return text(file).getBytes(StandardCharsets.UTF_8).length;
    }

    /** Writes {@code text} where the next record would go, as a write a crash cut short leaves it. */
    static void writeAtEnd(Path file, String text) throws IOException {
        long at = end(file);
        try (var channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), at);
        }
    }

    private static String text(Path file) throws IOException {
        String content = Files.readString(file, StandardCharsets.UTF_8);
        int end = content.length();
        while (end > 0 && content.charAt(end - 1) == 0) {
            end--;
        }
        return content.substring(0, end);
    }
}
