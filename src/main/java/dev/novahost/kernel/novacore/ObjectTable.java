package dev.novahost.kernel.novacore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Host-wide lookup of nova-core's timers and work items by id and of open files by descriptor, as the
 * API names them. Objects leave the table when they are cancelled, closed, or freed with their device
 * or module. A timer or work item still active when its driver data was freed (remove() forgot it) is
 * an orphan: it stays listed while it may still run into the freed data, and leaves at the first reap
 * after it has ended, so that a loop of forgotten cancels does not keep every freed device alive.
 *
 * <p>Thread-safety: concurrent maps and queues; descriptors are allocated atomically and never reused.
 */
public final class ObjectTable {

    /** 0, 1 and 2 are stdin, stdout and stderr. */
    private final AtomicInteger nextFd = new AtomicInteger(3);
    private final Map<Long, DriverTimer> timers = new ConcurrentHashMap<>();
    private final Map<Long, DriverWork> works = new ConcurrentHashMap<>();
    private final Map<Integer, DeviceFile> files = new ConcurrentHashMap<>();
    private final Queue<DriverTimer> orphanTimers = new ConcurrentLinkedQueue<>();
    private final Queue<DriverWork> orphanWorks = new ConcurrentLinkedQueue<>();

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

    /** Its driver data was freed: it leaves the table, or stays as an orphan while it is still active. */
    void freed(DriverTimer timer) {
        if (!timer.isActive()) {
            remove(timer);
        } else {
            orphanTimers.add(timer);
        }
    }

    /** As for a timer. */
    void freed(DriverWork work) {
        if (!work.isActive()) {
            remove(work);
        } else {
            orphanWorks.add(work);
        }
    }

    /** The orphans that have ended leave the table; the cost is the number of orphans, not of objects. */
    void reapOrphans() {
        orphanTimers.removeIf(timer -> {
            if (timer.isActive()) {
                return false;
            }
            remove(timer);
            return true;
        });
        orphanWorks.removeIf(work -> {
            if (work.isActive()) {
                return false;
            }
            remove(work);
            return true;
        });
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
