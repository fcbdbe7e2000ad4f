package dev.novahost.scenario;

import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.DriverWork;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The timers, work items and files a run's steps made, by the names the scenario gave them
 * ({@code "as"}). The parse made sure an earlier step names each one used; a name whose step failed
 * is refused where it is used.
 *
 * <p>Thread-safety: none needed; the run's steps take turns ({@link SimulatedCpus}), and each turn
 * hands over through the scheduler's own synchronization.
 */
final class RunNames {

    private final Map<String, DriverTimer> timers = new HashMap<>();
    private final Map<String, DriverWork> works = new HashMap<>();
    private final Map<String, Integer> files = new HashMap<>();

    void timer(String alias, DriverTimer timer) {
        timers.put(alias, timer);
    }

    void work(String alias, DriverWork work) {
        works.put(alias, work);
    }

    void file(String alias, int fd) {
        files.put(alias, fd);
    }

    DriverTimer timer(Step step, String alias) {
        var timer = timers.get(alias);
        if (timer == null) {
            throw step.fail("no timer was armed as '" + alias + "' (the step that arms it failed)");
        }
        return timer;
    }

    DriverWork work(Step step, String alias) {
        var work = works.get(alias);
        if (work == null) {
            throw step.fail("no work was queued as '" + alias + "' (the step that queues it failed)");
        }
        return work;
    }

    /** The id of the timer named {@code alias}, if a step armed one by that name. */
    OptionalLong timerId(String alias) {
        var timer = timers.get(alias);
        return timer == null ? OptionalLong.empty() : OptionalLong.of(timer.id());
    }

    /** The id of the work item named {@code alias}, if a step queued one by that name. */
    OptionalLong workId(String alias) {
        var work = works.get(alias);
        return work == null ? OptionalLong.empty() : OptionalLong.of(work.id());
    }

    int file(Step step, String alias) {
        var fd = files.get(alias);
        if (fd == null) {
            throw step.fail("no file was opened as '" + alias + "' (the step that opens it failed)");
        }
        return fd;
    }

    /** The id of the timer, work item or file (its fd) a step named so, in that order; empty for no such name. */
    Optional<String> idOf(String alias) {
        var id = timerId(alias);
        if (id.isEmpty()) {
            id = workId(alias);
        }
        return id.isPresent() ? Optional.of(Long.toString(id.getAsLong()))
                : Optional.ofNullable(files.get(alias)).map(String::valueOf);
    }
}
