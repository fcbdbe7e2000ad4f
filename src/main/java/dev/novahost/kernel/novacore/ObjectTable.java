package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Host-wide lookup of nova-core's timers and work items by id and of open files by descriptor, as the
 * API names them. Objects leave the table when they are cancelled, closed, or freed with their device
 * or module.
 *
 * <p>Thread-safety: concurrent maps; descriptors are allocated atomically and never reused.
 */
public final class ObjectTable {

    /** 0, 1 and 2 are stdin, stdout and stderr. */
    private final AtomicInteger nextFd = new AtomicInteger(3);
    private final Map<Long, DriverTimer> timers = new ConcurrentHashMap<>();
    private final Map<Long, DriverWork> works = new ConcurrentHashMap<>();
    private final Map<Integer, DeviceFile> files = new ConcurrentHashMap<>();

    int allocateFd() {
        return nextFd.getAndIncrement();
    }

    void add(DriverTimer timer) {
        timers.put(timer.id(), timer);
    }

    void add(DriverWork work) {
        works.put(work.id(), work);
    }

    void add(DeviceFile file) {
        files.put(file.fd(), file);
    }

    void remove(DriverTimer timer) {
        timers.remove(timer.id(), timer);
    }

    void remove(DriverWork work) {
        works.remove(work.id(), work);
    }

    void remove(DeviceFile file) {
        files.remove(file.fd(), file);
    }

    public DriverTimer timer(long id) {
        var timer = timers.get(id);
        if (timer == null) {
            throw KernelException.notFound(Errno.ENOENT, "No timer " + id);
        }
        return timer;
    }

    public DriverWork work(long id) {
        var work = works.get(id);
        if (work == null) {
            throw KernelException.notFound(Errno.ENOENT, "No work item " + id);
        }
        return work;
    }

    /** {@code EBADF} for a descriptor that is not open. */
    public DeviceFile file(int fd) {
        var file = files.get(fd);
        if (file == null) {
            throw KernelException.notFound(Errno.EBADF, "fd " + fd + " is not an open nova-core file");
        }
        return file;
    }

    public List<DriverTimer> timers() {
        return timers.values().stream().sorted(Comparator.comparingLong(DriverTimer::id)).toList();
    }

    public List<DriverWork> works() {
        return works.values().stream().sorted(Comparator.comparingLong(DriverWork::id)).toList();
    }

    public List<DeviceFile> files() {
        return files.values().stream().sorted(Comparator.comparingInt(DeviceFile::fd)).toList();
    }
}
