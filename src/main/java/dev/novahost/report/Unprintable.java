package dev.novahost.report;

import java.util.Locale;
import java.util.function.IntPredicate;

/**
 * The characters a format cannot carry, spelled as Java and JSON spell them ({@code \}{@code u0001}), so a
 * report keeps every character of a message visible instead of dropping it or breaking the format.
 */
final class Unprintable {

    private Unprintable() {
    }

    /** {@code text} with every code point {@code printable} refuses spelled {@code \}{@code uXXXX}. */
    static String spelled(String text, IntPredicate printable) {
        if (text.codePoints().allMatch(printable)) {
            return text;
        }
        var spelled = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            if (printable.test(c)) {
                spelled.appendCodePoint(c);
            } else {
                spelled.append(String.format(Locale.ROOT, "\\u%04x", c));
            }
        });
        return spelled.toString();
    }
}
