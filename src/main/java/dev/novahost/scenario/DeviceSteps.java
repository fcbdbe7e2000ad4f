package dev.novahost.scenario;

import dev.novahost.kernel.machine.Teardown;
import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.fault.FaultsWire;
import dev.novahost.kernel.fault.RemoveOrder;
import dev.novahost.kernel.fault.RemoveStep;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The steps on devices, the module and the machine: hotplug and removal, load and unload, the driver's
 * policy and faults, bind and unbind, and time. A device's address is parsed when the step runs, so a
 * bad one is the step's {@code EINVAL}, not a bad scenario.
 */
final class DeviceSteps {

    private DeviceSteps() {
    }

    record CreateDevice(Step.Line line, String chipset, Optional<String> address, Optional<Long> revision)
            implements Step.OnKernel {

        static CreateDevice parse(StepArgs args) {
            var revision = args.optNumberText("revision");
            return new CreateDevice(args.line(), args.text("chipset"), args.optText("address"), revision);
        }

        @Override
        public String apply(StepContext run) {
            return run.kernel().hotplug(Chipset.named(chipset), address.map(PciAddress::parse),
                    revision.map(Long::intValue).orElse(0xa1)).address().toString();
        }
    }

    record RemoveDevice(Step.Line line, String device, Optional<String> pauseAt) implements Step.OnKernel, HoldSteps.Holdable {

        static RemoveDevice parse(StepArgs args) {
            var pauseAt = HoldSteps.pauseAt(args);
            return new RemoveDevice(args.line(), args.text("device"), pauseAt);
        }

        @Override
        public String owner() {
            return device;
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().hotUnplug(PciAddress.parse(device));
            return null;
        }

        @Override
        public String task() {
            return Teardown.unplugTask(device);
        }
    }

    record SurpriseRemoval(Step.Line line, String device, Optional<String> pauseAt)
            implements Step.OnKernel, HoldSteps.Holdable {

        static SurpriseRemoval parse(StepArgs args) {
            var pauseAt = HoldSteps.pauseAt(args);
            return new SurpriseRemoval(args.line(), args.text("device"), pauseAt);
        }

        @Override
        public String owner() {
            return device;
        }

        @Override
        public String apply(StepContext run) {
            return WireWord.of(run.kernel().surpriseRemove(PciAddress.parse(device)).state());
        }
    }

    record Load(Step.Line line) implements Step.OnKernel {

        static Load parse(StepArgs args) {
            return new Load(args.line());
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().load(NovaCoreDriver.NAME);
            return "generation " + run.kernel().module(NovaCoreDriver.NAME).generation();
        }
    }

    record Unload(Step.Line line, UnloadMode mode, Optional<String> pauseAt) implements Step.OnKernel, HoldSteps.Holdable {

        static Unload parse(StepArgs args) {
            var mode = args.word("mode", UnloadMode.class, UnloadMode.PIN);
            var pauseAt = HoldSteps.pauseAt(args);
            return new Unload(args.line(), mode, pauseAt);
        }

        @Override
        public String owner() {
            return NovaCoreDriver.NAME;
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().unload(NovaCoreDriver.NAME, mode);
            return null;
        }

        @Override
        public String task() {
            return Teardown.unloadTask(NovaCoreDriver.NAME);
        }
    }

    record SetPolicy(Step.Line line, Policy policy) implements Step.OnKernel {

        static SetPolicy parse(StepArgs args) {
            var policy = args.optWord("policy", Policy.class).orElseThrow();
            return new SetPolicy(args.line(), policy);
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().driverCore().setPolicy(NovaCoreDriver.NAME, policy);
            return null;
        }
    }

    /**
     * {@code faults}: the HTTP body's shape ({@link FaultsWire}): each fault {@code true}, {@code false} or
     * its attributes, {@code probeFailure} an errno or null, {@code seed}, {@code inject} by injection point,
     * {@code remove} a preset's name or a list of remove() steps. Without a seed it takes the scenario's own,
     * so that a run is byte-identical however often it runs. A step's target in {@code remove} is the name
     * an earlier step gave the timer or work item ({@code hrtimer_cancel:t}), resolved to its id when this
     * step runs, so the step comes after the ones that arm or queue what it names; a target that is no
     * such name but a number is an id.
     *
     * @param remove the written remove() order, its targets as written; empty: the order {@code faults} has
     */
    record SetFaults(Step.Line line, Faults faults, List<RemoveStep.Written> remove) implements Step.OnKernel {

        static SetFaults parse(StepArgs args) {
            var node = args.arg("faults").orElseThrow();
            if (!node.isObject()) {
                throw args.fail("'faults' is an object of flags, e.g. {\"forgetTimerCancel\": true}");
            }
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> body = Scenario.JSON.convertValue(node, Map.class);
                var written = new ArrayList<RemoveStep.Written>();
                if (body.get("remove") instanceof List<?>) { // checked here as far as it can be without the objects
                    FaultsWire.removeOrder(body.get("remove"), step -> {
                        written.add(step);
                        return step.with(OptionalLong.empty());
                    });
                    body.remove("remove");
                }
                return new SetFaults(args.line(), FaultsWire.read(body, OptionalLong.empty()), List.copyOf(written));
            } catch (KernelException bad) {
                throw args.fail(bad.getMessage());
            }
        }

        @Override
        public String apply(StepContext run) {
            var set = faults.seed().isPresent() ? faults : faults.withSeed(run.seed());
            if (!remove.isEmpty()) {
                set = set.withRemove(RemoveOrder.of(remove.stream().map(step -> step.with(target(run, step))).toList()));
            }
            run.kernel().setFaults(set);
            return null;
        }

        /** The id of the timer or work item a step names by its alias (or by its id); refused when there is none. */
        private OptionalLong target(StepContext run, RemoveStep.Written step) {
            if (step.target().isEmpty()) {
                return OptionalLong.empty();
            }
            String alias = step.target().get();
            boolean timer = step.kind() == RemoveStep.Kind.HRTIMER_CANCEL;
            var named = timer ? run.names().timerId(alias) : run.names().workId(alias);
            if (named.isPresent()) {
                return named;
            }
            if (alias.chars().allMatch(Character::isDigit)) {
                return step.byId().target();
            }
            throw fail("remove step " + step.kind().word() + ":" + alias + ": no " + (timer ? "timer was armed" : "work was queued")
                    + " as '" + alias + "' by an earlier step");
        }
    }

    record Bind(Step.Line line, String device) implements Step.OnKernel {

        static Bind parse(StepArgs args) {
            return new Bind(args.line(), args.text("device"));
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().driverCore().bind(NovaCoreDriver.NAME, PciAddress.parse(device));
            return null;
        }

        @Override
        public String task() {
            return "bind " + device;
        }
    }

    record Unbind(Step.Line line, String device, Optional<String> pauseAt) implements Step.OnKernel, HoldSteps.Holdable {

        static Unbind parse(StepArgs args) {
            var pauseAt = HoldSteps.pauseAt(args);
            return new Unbind(args.line(), args.text("device"), pauseAt);
        }

        @Override
        public String owner() {
            return device;
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().driverCore().unbind(NovaCoreDriver.NAME, PciAddress.parse(device));
            return null;
        }

        @Override
        public String task() {
            return Teardown.unbindTask(device);
        }
    }

    /** Moves virtual time on by {@code ns}; every callback due runs, in deadline order. */
    record Advance(Step.Line line, long ns) implements Step.OnKernel {

        static Advance parse(StepArgs args) {
            long ns = args.number("ns");
            if (ns < 0) {
                throw args.fail("'ns' must not be negative, was " + ns);
            }
            return new Advance(args.line(), ns);
        }

        @Override
        public String apply(StepContext run) {
            int ran = run.engine().advanceTo(run.clock().nanoTime() + ns);
            return ran + " callbacks ran; now " + run.clock().nanoTime() + " ns";
        }
    }
}
