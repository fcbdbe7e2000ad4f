package dev.novahost.scenario;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.driver.Policy;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * One step of a scenario: its position, its op and its arguments, with typed accessors that name the
 * step in every error.
 *
 * <p>{@link #of} checks everything that can be checked before the kernel runs: the op, that every
 * argument is one the op takes and every argument it needs is there, that numbers are numbers and
 * words are words of their set, and the shape of expectations. What only the kernel can decide (is
 * the device bound? is the timer still armed?) is the step's outcome, an errno or a value.
 */
public record Step(int index, String op, JsonNode args) {

    /** The ops a scenario may use, and the arguments each one takes. */
    static final Map<String, Set<String>> OPS = Map.ofEntries(
            Map.entry("create-device", Set.of("chipset", "address", "revision")),
            Map.entry("remove-device", Set.of("device")),
            Map.entry("surprise-removal", Set.of("device")),
            Map.entry("load", Set.of()),
            Map.entry("unload", Set.of("mode")),
            Map.entry("set-policy", Set.of("policy")),
            Map.entry("set-faults", Set.of("faults")),
            Map.entry("bind", Set.of("device")),
            Map.entry("unbind", Set.of("device")),
            Map.entry("arm-timer", Set.of("device", "mode", "delayNs", "periodNs", "scope", "action", "work", "as")),
            Map.entry("cancel-timer", Set.of("timer")),
            Map.entry("queue-work", Set.of("device", "delayNs", "requeue", "scope", "action", "as")),
            Map.entry("cancel-work", Set.of("work")),
            Map.entry("open-file", Set.of("device", "as")),
            Map.entry("close-file", Set.of("file")),
            Map.entry("read-mmio", Set.of("device", "offset")),
            Map.entry("write-mmio", Set.of("device", "offset", "value")),
            Map.entry("file-read", Set.of("file", "offset")),
            Map.entry("file-write", Set.of("file", "offset", "value")),
            Map.entry("advance", Set.of("ns")),
            Map.entry("start-callback", Set.of("timer", "work")),
            Map.entry("finish-callback", Set.of("timer", "work")),
            Map.entry("expect", Set.of("violations", "none", "taints")));

    /** The arguments an op cannot do without (start/finish-callback need exactly one of timer and work). */
    private static final Map<String, Set<String>> REQUIRED = Map.ofEntries(
            Map.entry("create-device", Set.of("chipset")),
            Map.entry("remove-device", Set.of("device")),
            Map.entry("surprise-removal", Set.of("device")),
            Map.entry("set-policy", Set.of("policy")),
            Map.entry("set-faults", Set.of("faults")),
            Map.entry("bind", Set.of("device")),
            Map.entry("unbind", Set.of("device")),
            Map.entry("arm-timer", Set.of("device", "mode", "delayNs")),
            Map.entry("cancel-timer", Set.of("timer")),
            Map.entry("queue-work", Set.of("device")),
            Map.entry("cancel-work", Set.of("work")),
            Map.entry("open-file", Set.of("device")),
            Map.entry("close-file", Set.of("file")),
            Map.entry("read-mmio", Set.of("device", "offset")),
            Map.entry("write-mmio", Set.of("device", "offset", "value")),
            Map.entry("file-read", Set.of("file", "offset")),
            Map.entry("file-write", Set.of("file", "offset", "value")),
            Map.entry("advance", Set.of("ns")));

    /** Arguments that are non-negative whole numbers. */
    private static final Set<String> COUNTS = Set.of("delayNs", "periodNs", "requeue", "ns");

    /** Arguments that are register offsets or values: a number, or its hex or decimal text. */
    private static final Set<String> NUMBER_TEXTS = Set.of("offset", "value", "revision");

    /** Checks the op, its arguments and its expectation; the scenario is refused at the first step that is wrong. */
    static Step of(int index, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new ScenarioException(index, "a step is a JSON object with an \"op\"");
        }
        var opNode = node.get("op");
        if (opNode == null || !opNode.isString() || !OPS.containsKey(opNode.stringValue())) {
            throw new ScenarioException(index, "unknown op " + opNode + "; ops are " + new TreeSet<>(OPS.keySet()));
        }
        var step = new Step(index, opNode.stringValue(), node);
        step.checkArgumentNames();
        step.checkArgumentValues();
        step.checkOwnExpectation();
        return step;
    }

    private void checkArgumentNames() {
        Set<String> takes = OPS.get(op);
        for (String name : args.propertyNames()) {
            boolean ownExpectation = name.equals("expect") && !op.equals("expect");
            if (!name.equals("op") && !ownExpectation && !takes.contains(name)) {
                throw fail(op + " takes no argument '" + name + "'; it takes " + new TreeSet<>(takes));
            }
        }
        for (String name : REQUIRED.getOrDefault(op, Set.of())) {
            if (arg(name).isEmpty()) {
                throw fail(op + " needs '" + name + "'");
            }
        }
    }

    private void checkArgumentValues() {
        COUNTS.forEach(name -> optNumber(name).filter(n -> n < 0).ifPresent(n -> {
            throw fail("'" + name + "' must not be negative, was " + n);
        }));
        NUMBER_TEXTS.forEach(this::optNumberText);
        switch (op) {
            case "arm-timer" -> checkTimer();
            case "queue-work" -> {
                optWord("scope", Scope.class);
                if (optWord("action", Action.class).filter(a -> a == Action.QUEUE_WORK).isPresent()) {
                    throw fail("a work item cannot queue-work; that action is for timers");
                }
            }
            case "unload" -> optWord("mode", UnloadMode.class);
            case "set-policy" -> optWord("policy", Policy.class);
            case "set-faults" -> checkFaults();
            case "start-callback", "finish-callback" -> callbackAlias();
            case "expect" -> checkState();
            default -> { }
        }
    }

    private void checkTimer() {
        var mode = optWord("mode", TimerMode.class).orElseThrow();
        optWord("scope", Scope.class);
        var action = optWord("action", Action.class).orElse(Action.NOOP);
        if ((mode == TimerMode.PERIODIC) != arg("periodNs").isPresent()) {
            throw fail(mode == TimerMode.PERIODIC ? "a periodic timer needs 'periodNs'" : "a oneshot timer takes no 'periodNs'");
        }
        try {
            DriverTimer.Spec.checkPeriod(mode, optNumber("periodNs").orElse(0L));
        } catch (KernelException tooShort) {
            throw fail(tooShort.getMessage());
        }
        if ((action == Action.QUEUE_WORK) != arg("work").isPresent()) {
            throw fail(action == Action.QUEUE_WORK ? "a queue-work timer needs 'work', the work item it queues"
                    : "'work' is only for a queue-work timer");
        }
    }

    private void checkFaults() {
        var faults = arg("faults").orElseThrow();
        if (!faults.isObject()) {
            throw fail("'faults' is an object of flags, e.g. {\"forgetTimerCancel\": true}");
        }
        for (String name : faults.propertyNames()) {
            var value = faults.get(name);
            if (name.equals("probeFailure")) {
                if (!value.isNull()) {
                    errno(value, "probeFailure");
                }
            } else if (Fault.ofWord(name).isEmpty()) {
                throw fail("unknown fault '" + name + "'; faults are " + new TreeSet<>(Fault.words()) + " and probeFailure");
            } else if (!value.isBoolean() && !value.isNull()) {
                throw fail("fault '" + name + "' is true or false, was " + value);
            }
        }
    }

    /** An {@code expect} step: violations (kind, optional outcome and count), none, taints. */
    private void checkState() {
        if (arg("violations").isEmpty() && arg("none").isEmpty() && arg("taints").isEmpty()) {
            throw fail("expect needs 'violations', 'none' or 'taints'");
        }
        arg("none").filter(none -> !none.isBoolean()).ifPresent(none -> {
            throw fail("'none' is true or false, was " + none);
        });
        arg("violations").ifPresent(list -> {
            if (!list.isArray()) {
                throw fail("'violations' is a list of {\"kind\", \"outcome\", \"count\"}");
            }
            list.forEach(this::checkWantedViolation);
        });
        arg("taints").ifPresent(list -> {
            if (!list.isArray()) {
                throw fail("'taints' is a list of violation kinds");
            }
            list.forEach(taint -> {
                if (!violationKind(taint, "taint").taints()) {
                    throw fail("'" + taint.asString() + "' never taints the kernel");
                }
            });
        });
    }

    private void checkWantedViolation(JsonNode wanted) {
        if (!wanted.isObject() || !wanted.has("kind")) {
            throw fail("each expected violation is an object with a 'kind', e.g. {\"kind\": \"timer_free_active\"}");
        }
        for (String name : wanted.propertyNames()) {
            if (!Set.of("kind", "outcome", "count").contains(name)) {
                throw fail("an expected violation has 'kind', 'outcome' and 'count', not '" + name + "'");
            }
        }
        violationKind(wanted.get("kind"), "violation kind");
        var outcome = wanted.get("outcome");
        if (outcome != null && Arrays.stream(Outcome.values()).noneMatch(o -> lower(o).equals(outcome.asString()))) {
            throw fail("'" + outcome.asString() + "' is not an outcome; outcomes are prevented and occurred");
        }
        var count = wanted.get("count");
        if (count != null && (!count.canConvertToLong() || count.asLong() < 0)) {
            throw fail("'count' is a whole number of reports, was " + count);
        }
    }

    /** The step's own {@code expect}: an errno ({@code success} for none) and/or a value. */
    private void checkOwnExpectation() {
        expect().ifPresent(expected -> {
            if (!expected.isObject() || expected.isEmpty()) {
                throw fail("a step's 'expect' is {\"errno\": ...} and/or {\"value\": ...}");
            }
            for (String name : expected.propertyNames()) {
                if (!name.equals("errno") && !name.equals("value")) {
                    throw fail("a step's 'expect' has 'errno' and 'value', not '" + name + "'");
                }
            }
            var errno = expected.get("errno");
            if (errno != null && !errno.asString().equals("success")) {
                errno(errno, "expect.errno");
            }
        });
    }

    // --- accessors ------------------------------------------------------------------------------------

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
            if (v.canConvertToLong()) {
                return v.asLong();
            }
            try {
                return Long.decode(v.asString().trim());
            } catch (NumberFormatException notANumber) {
                throw fail("'" + name + "' must be a number or its hex or decimal text, was " + v);
            }
        });
    }

    /** One of an enum's words, case-insensitive, {@code -} for {@code _}. */
    <E extends Enum<E>> Optional<E> optWord(String name, Class<E> type) {
        return optText(name).map(text -> {
            String wanted = text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
            return Arrays.stream(type.getEnumConstants()).filter(e -> e.name().equals(wanted)).findFirst()
                    .orElseThrow(() -> fail("'" + text + "' is not a valid " + name + "; use one of "
                            + Arrays.stream(type.getEnumConstants()).map(e -> lower(e).replace('_', '-')).toList()));
        });
    }

    /** The alias of the callback a start-callback or finish-callback names: exactly one timer or work item. */
    String callbackAlias() {
        var timer = optText("timer");
        var work = optText("work");
        if (timer.isPresent() == work.isPresent()) {
            throw fail(op + " names exactly one callback: 'timer' or 'work'");
        }
        return timer.or(() -> work).orElseThrow();
    }

    /** The step's own expectation: an errno it must fail with, or a value it must return. */
    Optional<JsonNode> expect() {
        return op.equals("expect") ? Optional.empty() : Optional.ofNullable(args.get("expect"));
    }

    ScenarioException fail(String message) {
        return new ScenarioException(index, message);
    }

    private Errno errno(JsonNode value, String name) {
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

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
