package dev.novahost.api;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.time.Duration;

/**
 * How long a route whose kernel operation may block (unbind, unload, unplug) waits for its task before
 * it answers {@code 202} with the task: {@code ?wait=} in milliseconds, {@code byDefault} when absent,
 * at most {@code max}.
 */
public record TaskWaits(Duration byDefault, Duration max) {

    public TaskWaits {
        if (byDefault.isNegative() || byDefault.compareTo(max) > 0) {
            throw new IllegalArgumentException("The default task wait (" + byDefault + ") must be between 0 and the"
                    + " longest one (" + max + ")");
        }
    }

    /** The wait {@code text} asks for: {@code EINVAL} unless it is a whole number of milliseconds up to {@link #max}. */
    Duration parse(String text) {
        if (text == null) {
            return byDefault;
        }
        long millis;
        try {
            millis = Long.parseLong(text);
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < 0 || millis > max.toMillis() || !text.chars().allMatch(Character::isDigit)) {
            throw KernelException.of(Errno.EINVAL, "Parameter 'wait' is a whole number of milliseconds from 0 to "
                    + max.toMillis() + ", was '" + text + "'");
        }
        return Duration.ofMillis(millis);
    }
}
