package dev.novahost.scenario;

import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.Errno;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.module.UnloadMode;
import dev.novahost.kernel.fault.Fault;
import dev.novahost.kernel.fault.Faults;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.kernel.pci.PciAddress;
import java.util.Optional;
import java.util.TreeSet;

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

    record RemoveDevice(Step.Line line, String device) implements Step.OnKernel {

        static RemoveDevice parse(StepArgs args) {
            return new RemoveDevice(args.line(), args.text("device"));
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().hotUnplug(PciAddress.parse(device));
            return null;
        }

        @Override
        public String task() {
            return "unplug " + device;
        }
    }

    record SurpriseRemoval(Step.Line line, String device) implements Step.OnKernel {

        static SurpriseRemoval parse(StepArgs args) {
            return new SurpriseRemoval(args.line(), args.text("device"));
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

    record Unload(Step.Line line, UnloadMode mode) implements Step.OnKernel {

        static Unload parse(StepArgs args) {
            var mode = args.word("mode", UnloadMode.class, UnloadMode.PIN);
            return new Unload(args.line(), mode);
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().unload(NovaCoreDriver.NAME, mode);
            return null;
        }

        @Override
        public String task() {
            return "rmmod " + NovaCoreDriver.NAME;
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

    /** {@code faults}: an object of flags by fault word, and {@code probeFailure}, an errno or null. */
    record SetFaults(Step.Line line, Faults faults) implements Step.OnKernel {

        static SetFaults parse(StepArgs args) {
            var node = args.arg("faults").orElseThrow();
            if (!node.isObject()) {
                throw args.fail("'faults' is an object of flags, e.g. {\"forgetTimerCancel\": true}");
            }
            Optional<Errno> probeFailure = Optional.empty();
            for (String name : node.propertyNames()) {
                var value = node.get(name);
                if (name.equals("probeFailure")) {
                    probeFailure = value.isNull() ? Optional.empty() : Optional.of(args.errno(value, "probeFailure"));
                } else if (Fault.ofWord(name).isEmpty()) {
                    throw args.fail("unknown fault '" + name + "'; faults are " + new TreeSet<>(Fault.words())
                            + " and probeFailure");
                } else if (!value.isBoolean() && !value.isNull()) {
                    throw args.fail("fault '" + name + "' is true or false, was " + value);
                }
            }
            return new SetFaults(args.line(), Faults.where(fault -> node.path(fault.word()).asBoolean(false), probeFailure));
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().setFaults(faults);
            return null;
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

    record Unbind(Step.Line line, String device) implements Step.OnKernel {

        static Unbind parse(StepArgs args) {
            return new Unbind(args.line(), args.text("device"));
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().driverCore().unbind(NovaCoreDriver.NAME, PciAddress.parse(device));
            return null;
        }

        @Override
        public String task() {
            return "unbind " + device;
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
