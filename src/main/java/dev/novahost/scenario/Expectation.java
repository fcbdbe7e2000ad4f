package dev.novahost.scenario;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.Sanitizer;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What a scenario expects, parsed and checked before the run: of a step (the errno it fails with, the
 * value it returns) or of the kernel (an {@code expect} step: violations, none, taints). Its check
 * gives a {@link Verdict}; the words a failed one gives are part of the result's digest, so they do
 * not change.
 */
sealed interface Expectation {

    /** A step's own {@code expect}: an errno ({@code success} for none) and/or a value, as written. */
    record OfStep(Optional<String> errno, Optional<String> value) implements Expectation {

        /** The step's {@code "expect"}, if it has one; a step that has none may not fail. */
        static Optional<OfStep> parse(StepArgs step) {
            if (step.op().equals("expect")) {
                return Optional.empty();
            }
            return Optional.ofNullable(step.args().get("expect")).map(expected -> {
                if (!expected.isObject() || expected.isEmpty()) {
                    throw step.fail("a step's 'expect' is {\"errno\": ...} and/or {\"value\": ...}");
                }
                for (String name : expected.propertyNames()) {
                    if (!name.equals("errno") && !name.equals("value")) {
                        throw step.fail("a step's 'expect' has 'errno' and 'value', not '" + name + "'");
                    }
                }
                var errno = Optional.ofNullable(expected.get("errno")).map(JsonNode::asString);
                errno.filter(name -> !name.equals("success")).ifPresent(name -> step.errno(expected.get("errno"), "expect.errno"));
                return new OfStep(errno, Optional.ofNullable(expected.get("value")).map(JsonNode::asString));
            });
        }

        Verdict check(StepOutcome outcome) {
            String got = outcome.succeeded() ? "success" : outcome.errno().name();
            if (errno.isPresent() && !got.equalsIgnoreCase(errno.get().trim())) {
                return Verdict.failed("expected " + errno.get() + ", got " + got);
            }
            if (errno.isEmpty() && !outcome.succeeded()) {
                return unexpected(outcome);
            }
            if (value.isPresent() && !value.get().equalsIgnoreCase(String.valueOf(outcome.value()))) {
                return Verdict.failed("expected " + value.get() + ", got " + outcome.value());
            }
            return Verdict.PASSED;
        }

        /** The verdict on a step that ran: its own expectation's, or, without one, none unless it failed. */
        static Optional<Verdict> verdict(Optional<OfStep> expected, StepOutcome outcome) {
            return expected.map(expectation -> expectation.check(outcome))
                    .or(() -> outcome.succeeded() ? Optional.empty() : Optional.of(unexpected(outcome)));
        }

        private static Verdict unexpected(StepOutcome outcome) {
            return Verdict.failed("unexpected " + outcome.errno());
        }
    }

    /** An {@code expect} step: the violations so far (kind, outcome, count), or none, and the taints. */
    record OfKernel(boolean none, List<Wanted> violations, Optional<List<ViolationKind>> taints) implements Expectation {

        /** A violation expected: of a kind, of an outcome or any, {@code count} times or at least once. */
        record Wanted(ViolationKind kind, Optional<Outcome> outcome, OptionalLong count) { }

        static OfKernel parse(StepArgs step) {
            if (step.arg("violations").isEmpty() && step.arg("none").isEmpty() && step.arg("taints").isEmpty()) {
                throw step.fail("expect needs 'violations', 'none' or 'taints'");
            }
            step.arg("none").filter(none -> !none.isBoolean()).ifPresent(none -> {
                throw step.fail("'none' is true or false, was " + none);
            });
            var violations = new ArrayList<Wanted>();
            step.arg("violations").ifPresent(list -> {
                if (!list.isArray()) {
                    throw step.fail("'violations' is a list of {\"kind\", \"outcome\", \"count\"}");
                }
                list.forEach(wanted -> violations.add(wanted(step, wanted)));
            });
            var taints = step.arg("taints").map(list -> {
                if (!list.isArray()) {
                    throw step.fail("'taints' is a list of violation kinds");
                }
                var kinds = new ArrayList<ViolationKind>();
                list.forEach(taint -> {
                    var kind = step.violationKind(taint, "taint");
                    if (!kind.taints()) {
                        throw step.fail("'" + taint.asString() + "' never taints the kernel");
                    }
                    kinds.add(kind);
                });
                return List.copyOf(kinds);
            });
            return new OfKernel(step.arg("none").map(JsonNode::asBoolean).orElse(false), List.copyOf(violations), taints);
        }

        private static Wanted wanted(StepArgs step, JsonNode wanted) {
            if (!wanted.isObject() || !wanted.has("kind")) {
                throw step.fail("each expected violation is an object with a 'kind', e.g. {\"kind\": \"timer_free_active\"}");
            }
            for (String name : wanted.propertyNames()) {
                if (!Set.of("kind", "outcome", "count").contains(name)) {
                    throw step.fail("an expected violation has 'kind', 'outcome' and 'count', not '" + name + "'");
                }
            }
            var kind = step.violationKind(wanted.get("kind"), "violation kind");
            var outcome = Optional.ofNullable(wanted.get("outcome")).map(word -> Arrays.stream(Outcome.values())
                    .filter(o -> WireWord.of(o).equals(word.asString())).findFirst()
                    .orElseThrow(() -> step.fail("'" + word.asString() + "' is not an outcome; outcomes are prevented and occurred")));
            var count = wanted.get("count");
            if (count != null && (!count.canConvertToLong() || count.asLong() < 0)) {
                throw step.fail("'count' is a whole number of reports, was " + count);
            }
            return new Wanted(kind, outcome, count == null ? OptionalLong.empty() : OptionalLong.of(count.asLong()));
        }

        Verdict check(Sanitizer sanitizer) {
            var problems = new ArrayList<String>();
            var found = sanitizer.violations();
            if (none && !found.isEmpty()) {
                problems.add("expected no violations, found " + found.stream()
                        .map(v -> v.kind().wireName() + "/" + WireWord.of(v.outcome())).toList());
            }
            for (Wanted wanted : violations) {
                long count = found.stream()
                        .filter(v -> v.kind() == wanted.kind())
                        .filter(v -> wanted.outcome().isEmpty() || v.outcome() == wanted.outcome().get())
                        .mapToLong(v -> v.count()).sum();
                boolean held = wanted.count().isPresent() ? count == wanted.count().getAsLong() : count > 0;
                if (!held) {
                    problems.add(wanted.kind().wireName() + wanted.outcome().map(o -> "/" + WireWord.of(o)).orElse("")
                            + ": expected " + (wanted.count().isPresent() ? wanted.count().getAsLong() : "at least 1")
                            + ", found " + count);
                }
            }
            taints.ifPresent(kinds -> {
                var wanted = kinds.stream().map(ViolationKind::wireName).toList();
                var actual = sanitizer.taints().stream().map(ViolationKind::wireName).sorted().toList();
                if (!wanted.stream().sorted().toList().equals(actual)) {
                    problems.add("expected taints " + wanted + ", found " + actual);
                }
            });
            return problems.isEmpty() ? Verdict.PASSED : Verdict.failed(String.join("; ", problems));
        }
    }
}
