package dev.novahost.scenario;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * The JSON of one step while it is parsed: typed readers of its arguments that name the step in every
 * error ({@link ScenarioException}). Only the parse uses it; a parsed {@link Step} holds typed values.
 */
record StepArgs(int index, String op, JsonNode args) {

    /** The step's place, op and own expectation: a parser asks it after the op's own arguments, which are checked first. */
    Step.Line line() {
        return new Step.Line(index, op, Expectation.OfStep.parse(this));
    }

    Optional<JsonNode> arg(String name) {
        var value = args.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    String text(String name) {
        return optText(name).orElseThrow(() -> fail(op + " needs '" + name + "'"));
    }

    Optional<String> optText(String name) {
        return arg(name).map(v -> v.isString() ? v.stringValue() : v.toString());
    }

    long number(String name) {
        return optNumber(name).orElseThrow(() -> fail(op + " needs '" + name + "'"));
    }

    Optional<Long> optNumber(String name) {
        return arg(name).map(v -> {
            if (!v.canConvertToLong()) {
                throw fail("'" + name + "' must be a whole number, was " + v);
            }
            return v.asLong();
        });
    }

    /** A number written as a JSON number or as {@code 0x}-hex or decimal text. */
    Optional<Long> optNumberText(String name) {
        return arg(name).map(v -> {
            var number = Step.numberText(v);
            if (number.isEmpty()) {
                throw fail("'" + name + "' must be a number or its hex or decimal text, was " + v);
            }
            return number.getAsLong();
        });
    }

    /** One of an enum's words, case-insensitive, {@code -} for {@code _}. */
    <E extends Enum<E>> Optional<E> optWord(String name, Class<E> type) {
        return optText(name).map(text -> {
            String wanted = text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
            return Arrays.stream(type.getEnumConstants()).filter(e -> e.name().equals(wanted)).findFirst()
                    .orElseThrow(() -> fail("'" + text + "' is not a valid " + name + "; use one of "
                            + Arrays.stream(type.getEnumConstants()).map(WireWord::of).toList()));
        });
    }

    <E extends Enum<E>> E word(String name, Class<E> type, E absent) {
        return optWord(name, type).orElse(absent);
    }

    Errno errno(JsonNode value, String name) {
        try {
            return Errno.valueOf(value.asString().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            throw fail("'" + name + "' must be an errno name (EIO, ENODEV, ...), was " + value);
        }
    }

    ViolationKind violationKind(JsonNode value, String what) {
        String wanted = value.asString().trim().replace('-', '_').toUpperCase(Locale.ROOT);
        return Arrays.stream(ViolationKind.values()).filter(k -> k.name().equals(wanted)).findFirst()
                .orElseThrow(() -> fail("'" + value.asString() + "' is not a " + what + "; kinds are "
                        + Arrays.stream(ViolationKind.values()).map(ViolationKind::wireName).toList()));
    }

    /** A value of the kernel's own type, built before the run: its rules' {@code EINVAL} refuses the step. */
    <T> T kernelSpec(Supplier<T> spec) {
        try {
            return spec.get();
        } catch (KernelException refused) {
            throw fail(refused.getMessage());
        }
    }

    /** The rules of a kernel type that can only be built when the run does, asked before it. */
    void kernelRules(Runnable rules) {
        kernelSpec(() -> {
            rules.run();
            return rules;
        });
    }

    ScenarioException fail(String message) {
        return new ScenarioException(index, message);
    }
}
