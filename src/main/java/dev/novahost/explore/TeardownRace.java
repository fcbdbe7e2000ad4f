package dev.novahost.explore;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.scenario.Scenario;
import dev.novahost.scenario.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A scenario as the explorer sees it: its setup, the first teardown it does (an unbind, an unload, a
 * device removed or surprise-removed), and the callbacks that exist by then and may race it. The
 * author's own interleaving ({@code start-callback}, {@code finish-callback}) and checks
 * ({@code expect}) are dropped, and so is everything after the teardown: the explorer places the
 * callbacks itself, at every point, and the run's violations are the verdict.
 *
 * @param setup       the steps before the teardown, as JSON, without the dropped ones
 * @param teardown    the teardown step, without its own expectation
 * @param pointPrefix what its teardown points begin with: its device, or {@code nova-core} for an unload
 */
record TeardownRace(String name, long seed, List<ObjectNode> setup, ObjectNode teardown, String pointPrefix,
                    List<Callback> callbacks) {

    private static final Set<String> TEARDOWNS = Set.of("unbind", "unload", "remove-device", "surprise-removal");
    private static final Set<String> DROPPED = Set.of("start-callback", "finish-callback", "expect");
    /** {@code NV_PTIMER_INTR_EN_0}: writing it arms the device's PTIMER alarm interrupt. */
    private static final long INTR_EN = 0x9140;

    /** Whether {@code scenario} has a teardown step, so a race to explore. */
    static boolean tearsDown(JsonNode scenario) {
        for (JsonNode step : scenario.path("steps")) {
            if (TEARDOWNS.contains(step.path("op").asString(""))) {
                return true;
            }
        }
        return false;
    }

    /** The race in {@code scenario} (checked as a scenario first); {@code EINVAL} if it tears nothing down. */
    static TeardownRace of(JsonNode scenario) {
        var parsed = Scenario.parse(scenario);
        var setup = new ArrayList<ObjectNode>();
        var callbacks = new LinkedHashMap<String, Callback>();
        for (JsonNode step : scenario.get("steps")) {
            var op = step.get("op").asString();
            if (TEARDOWNS.contains(op)) {
                var teardown = ((ObjectNode) step.deepCopy());
                teardown.remove("expect");
                var prefix = op.equals("unload") ? "nova-core" : teardown.get("device").asString();
                return new TeardownRace(parsed.name(), parsed.seed(), List.copyOf(setup), teardown, prefix,
                        List.copyOf(callbacks.values()));
            }
            if (!DROPPED.contains(op)) {
                setup.add((ObjectNode) step.deepCopy());
                named(step).ifPresent(callback -> callbacks.put(callback.label(), callback));
            }
        }
        throw KernelException.of(Errno.EINVAL, "scenario '" + parsed.name() + "' tears nothing down (no "
                + TEARDOWNS + " step): there is no race to explore");
    }

    /** The callback a setup step makes, if it names one the explorer can place. */
    private static Optional<Callback> named(JsonNode step) {
        var op = step.get("op").asString();
        var alias = step.path("as").asString("");
        var action = step.path("action").asString("noop");
        boolean bar = action.equals("touch-bar") || action.equals("read-ptimer");
        boolean lock = action.equals("lock");
        return switch (op) {
            case "arm-timer" -> alias.isEmpty() ? Optional.empty() : Optional.of(new Callback(
                    Callback.Kind.TIMER, alias, step.path("mode").asString("").equals("periodic") ? 2 : 1, bar, lock,
                    action.equals("queue-work")));
            case "queue-work" -> alias.isEmpty() ? Optional.empty() : Optional.of(new Callback(
                    Callback.Kind.WORK, alias, step.path("requeue").asLong(0) > 0 ? 2 : 1, bar, lock, false));
            case "open-file" -> alias.isEmpty() ? Optional.empty()
                    : Optional.of(new Callback(Callback.Kind.FILE, alias, 1, true, false, false));
            case "write-mmio" -> interruptArmed(step) ? Optional.of(new Callback(Callback.Kind.IRQ,
                    step.get("device").asString(), 1, true, true, false)) : Optional.empty();
            default -> Optional.empty();
        };
    }

    /** Read as the step reads its arguments ({@link Step#numberText}): the scenario has been parsed already. */
    private static boolean interruptArmed(JsonNode step) {
        return Step.numberText(step.get("offset")).orElse(-1) == INTR_EN
                && Step.numberText(step.get("value")).orElse(0) != 0;
    }
}
