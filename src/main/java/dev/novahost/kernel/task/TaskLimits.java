package dev.novahost.kernel.task;

/**
 * How much of the host tasks may hold.
 *
 * @param kept    tasks remembered, running or done; past it the oldest done ones are forgotten
 * @param running tasks running at once; one more is refused with {@code EAGAIN}
 */
public record TaskLimits(int kept, int running) {

    public static final TaskLimits DEFAULTS = new TaskLimits(256, 64);

    public TaskLimits {
        if (running < 1 || kept < running) {
            throw new IllegalArgumentException("at least one task must run, and every running task must be kept: kept "
                    + kept + ", running " + running);
        }
    }
}
