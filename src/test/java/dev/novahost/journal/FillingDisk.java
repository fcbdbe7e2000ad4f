package dev.novahost.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * A disk with a given number of free bytes, for the journal's files: a write that needs more space than
 * is left writes what fits and then fails as Linux does, with {@code IOException("No space left on
 * device")}; truncating frees space. It can also fail writes with {@code EIO} (after some bytes: a
 * half-written record), refuse to open
 * files whose name ends with a suffix (a read-only folder), or deny reading (an unreadable file).
 *
 * <p>Thread-safety: its settings are volatile and its space is accounted under its own lock, so a test
 * thread may change them while the service's threads write.
 */
final class FillingDisk implements JournalFiles {

    private long free = Long.MAX_VALUE;
    /** Bytes that may still be written before every write and fsync fails with an I/O error. */
    private long writableBeforeFailure = Long.MAX_VALUE;
    private boolean failOnce;
    private volatile String refuseOpening = null;
    private volatile boolean denyAll;

    synchronized void free(long bytes) {
        free = bytes;
    }

    synchronized long free() {
        return free;
    }

    /** Every write and fsync fails with an I/O error from now on (or no more). */
    void failWrites(boolean on) {
        failWritesAfter(on ? 0 : Long.MAX_VALUE);
    }

    /** The next {@code bytes} bytes are written, then every write and fsync fails with an I/O error. */
    synchronized void failWritesAfter(long bytes) {
        writableBeforeFailure = bytes;
    }

    /** The next {@code bytes} bytes are written, then one write fails with an I/O error, then writes work again. */
    synchronized void failOnceAfter(long bytes) {
        writableBeforeFailure = bytes;
        failOnce = true;
    }

    /** How much of a write of {@code length} bytes gets through before the I/O error; 0: fail now. */
    private synchronized int beforeFailure(int length) {
        if (writableBeforeFailure == 0 && failOnce) {
            failOnce = false;
            writableBeforeFailure = Long.MAX_VALUE;
            return 0;
        }
        int allowed = (int) Math.min(length, writableBeforeFailure);
        if (writableBeforeFailure != Long.MAX_VALUE) {
            writableBeforeFailure -= allowed;
        }
        return allowed;
    }

    private synchronized boolean failing() {
        return writableBeforeFailure == 0;
    }

    /** Opening a file whose name ends with {@code suffix} fails as in a read-only folder ({@code null}: none). */
    void refuseOpening(String suffix) {
        refuseOpening = suffix;
    }

    void denyAll(boolean on) {
        denyAll = on;
    }

    @Override
    public FileChannel open(Path file, OpenOption... options) throws IOException {
        if (denyAll) {
            throw new AccessDeniedException(file.toString());
        }
        String suffix = refuseOpening;
        if (suffix != null && file.getFileName().toString().endsWith(suffix)) {
            throw new java.nio.file.FileSystemException(file.toString(), null, "Read-only file system");
        }
        return new Channel(FileChannel.open(file, options));
    }

    /** Takes the space a write at {@code position} of {@code length} bytes needs; returns how much may be written. */
    private synchronized int take(long size, long position, int length) {
        long grows = Math.max(0, position + length - size);
        long granted = Math.min(grows, free);
        free -= granted;
        return (int) Math.min(length, Math.max(0, size - position) + granted);
    }

    private synchronized void release(long bytes) {
        if (free != Long.MAX_VALUE) {
            free += bytes;
        }
    }

    private final class Channel extends FileChannel {

        private final FileChannel file;

        Channel(FileChannel file) {
            this.file = file;
        }

        @Override
        public int write(ByteBuffer source, long position) throws IOException {
            int wanted = beforeFailure(source.remaining());
            if (wanted == 0 && source.hasRemaining()) {
                throw new IOException("Input/output error");
            }
            int allowed = take(file.size(), position, wanted);
            if (allowed == 0 && wanted > 0) {
                throw new IOException("No space left on device");
            }
            var part = source.slice(source.position(), allowed);
            int written = file.write(part, position);
            source.position(source.position() + written);
            return written;
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            int written = write(source, file.position());
            file.position(file.position() + written);
            return written;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (failing()) {
                throw new IOException("Input/output error");
            }
            file.force(metaData);
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            long before = file.size();
            file.truncate(size);
            release(Math.max(0, before - size));
            return this;
        }

        @Override
        public int read(ByteBuffer target) throws IOException {
            return file.read(target);
        }

        @Override
        public long read(ByteBuffer[] targets, int offset, int length) throws IOException {
            return file.read(targets, offset, length);
        }

        @Override
        public int read(ByteBuffer target, long position) throws IOException {
            return file.read(target, position);
        }

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
            long written = 0;
            for (int i = offset; i < offset + length; i++) {
                written += write(sources[i]);
            }
            return written;
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long position) throws IOException {
            file.position(position);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return file.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel source, long position, long count) {
            throw new UnsupportedOperationException("the journal does not transfer into its files");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException("the journal does not map its files");
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return file.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
