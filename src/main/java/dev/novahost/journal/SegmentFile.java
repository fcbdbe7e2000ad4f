package dev.novahost.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's file, grown as etcd's WAL and PostgreSQL's WAL segments are: preallocated, zero-filled,
 * a segment at a time, and records written in place into the zeros, so an append needs no new block and
 * changes no file size ({@code fdatasync} suffices); the reader takes the zeros as the end.
 *
 * <p>Invariant: {@code end <= allocated}, and the bytes from {@code end} to {@code allocated} are zeros
 * already on disk (unless a failed write could not be zeroed again, and then the journal has stopped,
 * {@link FailStop}). {@link #reserve()} keeps at least half a segment of them ahead of the last record,
 * so that a full disk is met there, before a change, and not half way through a record: half a segment
 * (of the default 1 MiB) holds the largest operation (a 64 KiB firmware file under a 255-character name:
 * 87.7 KB on its line; a reset of a full host: 51 KB) and every request in flight at once; one
 * that still finds no room grows the file itself, and a failure there is one after the change. A write
 * that fails leaves zeros where it was, never a half record to write over: after a failed fsync Linux
 * may have dropped the dirty pages, and a second fsync can report success.
 *
 * <p>Not thread-safe: the {@link Journal} calls it under its lock.
 */
final class SegmentFile implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SegmentFile.class);
    private static final int ZERO_CHUNK = 64 * 1024;

    private final FileChannel channel;
    private final int segmentBytes;
    /** Where the last good record ends: the next one is written here, over zeros. */
    private long end;
    /** The file's size: zeros from {@link #end} to here are already on disk. */
    private long allocated;

    private SegmentFile(FileChannel channel, int segmentBytes, long end) throws IOException {
        this.channel = channel;
        this.segmentBytes = segmentBytes;
        this.end = end;
        this.allocated = channel.size();
    }

    /**
     * The file as crash recovery left it, records ending at {@code end}. A full disk is not a reason to
     * refuse to start: reads still work, and changes get {@code ENOSPC} from {@link #reserve()}.
     */
    static SegmentFile resume(Path file, FileChannel channel, int segmentBytes, long end) throws IOException {
        var segment = new SegmentFile(channel, segmentBytes, end);
        try {
            segment.reserve();
        } catch (IOException e) {
            log.warn("journal {}: could not preallocate ({}); changes will be refused until there is room", file,
                    e.getMessage());
        }
        return segment;
    }

    /** A new file holding {@code content} and a segment of zeros after it, forced to disk. */
    static SegmentFile startingWith(FileChannel channel, int segmentBytes, byte[] content) throws IOException {
        writeFully(channel, content, 0);
        extend(channel, content.length + (long) segmentBytes);
        return new SegmentFile(channel, segmentBytes, content.length);
    }

    /**
     * Makes sure half a segment of zeros is free after the last record, growing the file by a segment
     * when less is left.
     *
     * @throws IOException the disk is full or fails; the file is as it was
     */
    void reserve() throws IOException {
        if (allocated - end >= segmentBytes / 2) {
            return;
        }
        try {
            allocated = extend(channel, end + segmentBytes);
        } catch (IOException e) {
            allocated = sizeOr(allocated);
            throw e;
        }
    }

    /**
     * Writes {@code bytes} after the last record and forces them. An operation larger than the reserve
     * grows the file itself.
     *
     * @throws IOException the bytes are not on disk; what was written of them is zeroed again (as far as
     *                     the disk still lets), and the next write goes where they would have
     */
    void append(byte[] bytes) throws IOException {
        long at = end;
        try {
            if (at + bytes.length > allocated) {
                allocated = extend(channel, at + bytes.length + segmentBytes); // larger than the reserve
            }
            writeFully(channel, bytes, at);
            channel.force(false); // the size did not change: the data is all there is to force
        } catch (IOException e) {
            zeroHalfRecord(at, bytes.length, e);
            throw e;
        }
        end = at + bytes.length;
    }

    /** Never written over blindly: a disk that cannot even zero it leaves a torn tail for the next start. */
    private void zeroHalfRecord(long at, int length, IOException cause) {
        try {
            writeZeros(channel, at, at + length);
            channel.force(false);
        } catch (IOException alsoFailed) {
            cause.addSuppressed(alsoFailed);
        }
        allocated = sizeOr(allocated);
    }

    private long sizeOr(long fallback) {
        try {
            return channel.size();
        } catch (IOException e) {
            return fallback;
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

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
