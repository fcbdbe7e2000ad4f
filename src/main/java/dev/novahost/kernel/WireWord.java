package dev.novahost.kernel;

import java.util.Locale;

/**
 * How a closed set's constant is spelled wherever it leaves the kernel (the API, the kernel log, the
 * journal, scenarios, metric tags): lower case, {@code -} for {@code _} ({@code READ_PTIMER} →
 * {@code read-ptimer}). One spelling, so that the word the API accepts is the word it shows, logs and
 * journals. Two sets keep words of their own: violation kinds (DESIGN.md's metric words, with
 * {@code _}) and faults (their camel-case attribute names).
 */
public final class WireWord {

    private WireWord() {
    }

    public static String of(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
