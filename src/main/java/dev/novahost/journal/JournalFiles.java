package dev.novahost.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * How the journal opens its files: the disk itself in service, a disk that fills up or fails in a test
 * (the journal must then see the same {@code IOException("No space left on device")} a full disk gives).
 */
@FunctionalInterface
public interface JournalFiles {

    JournalFiles DISK = FileChannel::open;

    FileChannel open(Path file, OpenOption... options) throws IOException;
}
