package dev.novahost.journal;

import dev.novahost.journal.Journal.JournalException;
import dev.novahost.kernel.Errno;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's fail-stop state, as PostgreSQL PANICs when a WAL write or fsync fails: once a record
 * could not be written after its change was made, the live kernel is one change ahead of the disk, and
 * later records written on top could replay into a state nobody acknowledged. So the journal takes no
 * more changes until a restart brings the host back to what is on disk. The state only goes one way.
 *
 * <p>Not thread-safe: the {@link Journal} calls it under its lock.
 */
final class FailStop {

    private static final Logger log = LoggerFactory.getLogger(FailStop.class);

    private final Path file;
    /** Set once a write failed after a change: why the journal takes no more changes. */
    private String failed;

    FailStop(Path file) {
        this.file = file;
    }

    /** @throws JournalException {@code EIO} when the journal already stopped */
    void refuseIfStopped() {
        if (failed != null) {
            throw new JournalException(Errno.EIO, "The journal " + file + " failed earlier (" + failed + ") and"
                    + " takes no more changes: restart nova-host, it comes back with every acknowledged change", null);
        }
    }

    /** Stops the journal after a write failed behind a change; returns what the caller of the change gets. */
    JournalException stop(IOException cause) {
        failed = cause.getMessage();
        log.error("journal {}: a write failed after the change was made ({}); the change is not durable and the"
                + " journal takes no more changes until nova-host restarts", file, cause.getMessage());
        return new JournalException(JournalException.errnoOf(cause), "The journal " + file + " could not record the"
                + " change (" + cause.getMessage() + "): it is not durable, and nova-host takes no more changes until"
                + " it is restarted (it then comes back with every acknowledged change)", cause);
    }
}
