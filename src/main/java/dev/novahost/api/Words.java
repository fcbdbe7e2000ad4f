package dev.novahost.api;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Parses the API's words for closed sets ({@code periodic}, {@code read-ptimer}, {@code fenced}) into
 * the kernel's enums, with {@code EINVAL} naming the choices for anything else. A word is accepted as
 * {@code openapi.yaml} spells it, in any case (its rule for closed sets in requests) and nothing more:
 * no surrounding blanks, no {@code _} for {@code -}.
 */
final class Words {

    private Words() {
    }

    static <E extends Enum<E>> E parse(Class<E> type, String field, String text) {
        if (text != null) {
            for (E value : type.getEnumConstants()) {
                if (WireWord.of(value).equalsIgnoreCase(text)) {
                    return value;
                }
            }
        }
        throw KernelException.of(Errno.EINVAL, "'" + text + "' is not a valid " + field + "; use one of "
                + Arrays.stream(type.getEnumConstants()).map(WireWord::of).collect(Collectors.joining(", ")));
    }

    static <E extends Enum<E>> E parse(Class<E> type, String field, String text, E absent) {
        return text == null ? absent : parse(type, field, text);
    }
}
