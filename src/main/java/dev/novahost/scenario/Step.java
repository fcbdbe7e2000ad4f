package dev.novahost.scenario;

import dev.novahost.kernel.Policy;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * One step of a scenario, one record per op: it parses itself from the scenario's JSON and applies
 * itself to the run. A new op is one record, its name in {@link OnKernel}'s permits and one row of
 * {@link #OPS}; the runner does not change.
 *
 * <p>{@link #of} checks everything that can be checked before the kernel runs: the op, that every
 * argument is one the op takes and every argument it needs is there, that numbers are numbers and
 * words are words of their set, the rules of the kernel's own specs, and the shape of expectations.
 * What only the kernel can decide (is the device bound? is the timer still armed?) is the step's
 * outcome, an errno or a value.
 */
public sealed interface Step permits Step.OnKernel, Step.OnCpus, Step.Expect {

    /** Where the step is, its op word, and what it expects of itself. */
    record Line(int index, String op, Optional<Expectation.OfStep> expect) { }

    /** A timer, work item or file by the name a scenario gave it ({@code "as"}). */
    record Name(String kind, String alias) { }

    Line line();

    /**
     * A number as a step's argument may write it: a JSON number, or its {@code 0x}-hex or decimal text
     * (blanks around it allowed); empty when it is neither.
     */
    static OptionalLong numberText(JsonNode value) {
        if (value.canConvertToLong()) {
            return OptionalLong.of(value.asLong());
        }
        try {
            return value.isString() ? OptionalLong.of(Long.decode(value.asString().trim())) : OptionalLong.empty();
        } catch (NumberFormatException notANumber) {
            return OptionalLong.empty();
        }
    }

    default int index() {
        return line().index();
    }

    default String op() {
        return line().op();
    }

    /** The object this step refers to by name, which an earlier step must have named. */
    default Optional<Name> uses() {
        return Optional.empty();
    }

    /** The name this step gives the object it makes. */
    default Optional<Name> names() {
        return Optional.empty();
    }

    default ScenarioException fail(String message) {
        return new ScenarioException(index(), message);
    }

    /** A step the kernel does; while a callback is in flight it runs on a CPU of its own, in case it has to wait. */
    sealed interface OnKernel extends Step permits DeviceSteps.CreateDevice, DeviceSteps.RemoveDevice,
            DeviceSteps.SurpriseRemoval, DeviceSteps.Load, DeviceSteps.Unload, DeviceSteps.SetPolicy,
            DeviceSteps.SetFaults, DeviceSteps.Bind, DeviceSteps.Unbind, DeviceSteps.Advance,
            ObjectSteps.ArmTimer, ObjectSteps.CancelTimer, ObjectSteps.QueueWork, ObjectSteps.CancelWork,
            ObjectSteps.OpenFile, ObjectSteps.CloseFile, ObjectSteps.ReadMmio, ObjectSteps.WriteMmio,
            ObjectSteps.FileRead, ObjectSteps.FileWrite {

        /** Does the step; its value, or {@code null} for none. A {@code KernelException} is its outcome. */
        String apply(StepContext run);

        /** The task it runs as, as reports name it: its op, or the kernel's name for it ({@code unbind 0000:01:00.0}). */
        default String task() {
            return op();
        }
    }

    /** A step that lets a callback begin or end: it runs on the scenario's own CPU. */
    sealed interface OnCpus extends Step permits CallbackSteps.Start, CallbackSteps.Finish, HoldSteps.Resume {

        String apply(StepContext run);
    }

    /**
     * {@code expect}: the kernel's violations and taints so far; with a {@code policy}, only while the
     * driver's policy is that one (a case one policy avoids), and under the other it checks nothing.
     */
    record Expect(Line line, Expectation.OfKernel expected, Optional<Policy> policy) implements Step {

        static Expect parse(StepArgs args) {
            var expected = Expectation.OfKernel.parse(args);
            var policy = args.optWord("policy", Policy.class);
            return new Expect(args.line(), expected, policy);
        }
    }

    /** An op: the arguments it takes, those it cannot do without, and how it parses. */
    record Op(Set<String> takes, Set<String> needs, Parser parse) { }

    /** Checks the op's arguments, then the step's own expectation ({@link StepArgs#line}), and builds the record. */
    @FunctionalInterface
    interface Parser {
        Step parse(StepArgs args);
    }

    /** The ops a scenario may use (start/finish-callback need exactly one of timer, work and irq, which they check). */
    Map<String, Op> OPS = Map.ofEntries(
            op("create-device", Set.of("chipset", "address", "revision"), Set.of("chipset"), DeviceSteps.CreateDevice::parse),
            op("remove-device", Set.of("device", "pauseAt"), Set.of("device"), DeviceSteps.RemoveDevice::parse),
            op("surprise-removal", Set.of("device", "pauseAt"), Set.of("device"), DeviceSteps.SurpriseRemoval::parse),
            op("load", Set.of(), Set.of(), DeviceSteps.Load::parse),
            op("unload", Set.of("mode", "pauseAt"), Set.of(), DeviceSteps.Unload::parse),
            op("set-policy", Set.of("policy"), Set.of("policy"), DeviceSteps.SetPolicy::parse),
            op("set-faults", Set.of("faults"), Set.of("faults"), DeviceSteps.SetFaults::parse),
            op("bind", Set.of("device"), Set.of("device"), DeviceSteps.Bind::parse),
            op("unbind", Set.of("device", "pauseAt"), Set.of("device"), DeviceSteps.Unbind::parse),
            op("arm-timer", Set.of("device", "mode", "delayNs", "periodNs", "scope", "action", "work", "as"),
                    Set.of("device", "mode", "delayNs"), ObjectSteps.ArmTimer::parse),
            op("cancel-timer", Set.of("timer"), Set.of("timer"), ObjectSteps.CancelTimer::parse),
            op("queue-work", Set.of("device", "delayNs", "requeue", "scope", "action", "as"), Set.of("device"),
                    ObjectSteps.QueueWork::parse),
            op("cancel-work", Set.of("work"), Set.of("work"), ObjectSteps.CancelWork::parse),
            op("open-file", Set.of("device", "as"), Set.of("device"), ObjectSteps.OpenFile::parse),
            op("close-file", Set.of("file"), Set.of("file"), ObjectSteps.CloseFile::parse),
            op("read-mmio", Set.of("device", "offset"), Set.of("device", "offset"), ObjectSteps.ReadMmio::parse),
            op("write-mmio", Set.of("device", "offset", "value"), Set.of("device", "offset", "value"),
                    ObjectSteps.WriteMmio::parse),
            op("file-read", Set.of("file", "offset"), Set.of("file", "offset"), ObjectSteps.FileRead::parse),
            op("file-write", Set.of("file", "offset", "value"), Set.of("file", "offset", "value"),
                    ObjectSteps.FileWrite::parse),
            op("advance", Set.of("ns"), Set.of("ns"), DeviceSteps.Advance::parse),
            op("start-callback", Set.of("timer", "work", "irq"), Set.of(), CallbackSteps.Start::parse),
            op("finish-callback", Set.of("timer", "work", "irq"), Set.of(), CallbackSteps.Finish::parse),
            op("resume", Set.of("pauseAt"), Set.of(), HoldSteps.Resume::parse),
            op("expect", Set.of("violations", "none", "taints", "policy"), Set.of(), Expect::parse));

    private static Map.Entry<String, Op> op(String word, Set<String> takes, Set<String> needs, Parser parse) {
        return Map.entry(word, new Op(takes, needs, parse));
    }

    /** Parses and checks one step; the scenario is refused at the first step that is wrong. */
    static Step of(int index, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new ScenarioException(index, "a step is a JSON object with an \"op\"");
        }
        var opNode = node.get("op");
        if (opNode == null || !opNode.isString() || !OPS.containsKey(opNode.stringValue())) {
            throw new ScenarioException(index, "unknown op " + opNode + "; ops are " + new TreeSet<>(OPS.keySet()));
        }
        var args = new StepArgs(index, opNode.stringValue(), node);
        var op = OPS.get(args.op());
        for (String name : node.propertyNames()) {
            boolean ownExpectation = name.equals("expect") && !args.op().equals("expect");
            if (!name.equals("op") && !ownExpectation && !op.takes().contains(name)) {
                throw args.fail(args.op() + " takes no argument '" + name + "'; it takes " + new TreeSet<>(op.takes()));
            }
        }
        for (String name : op.needs()) {
            if (args.arg(name).isEmpty()) {
                throw args.fail(args.op() + " needs '" + name + "'");
            }
        }
        return op.parse().parse(args);
    }
}
