package dev.novahost.scenario;

import dev.novahost.kernel.Errno;
import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.novacore.Action;
import dev.novahost.kernel.novacore.DriverTimer;
import dev.novahost.kernel.novacore.DriverWork;
import dev.novahost.kernel.novacore.Scope;
import dev.novahost.kernel.novacore.TimerMode;
import dev.novahost.kernel.pci.PciAddress;
import java.util.Optional;

/**
 * The steps on what a bound driver makes and touches: timers, work items, files and BAR0. The rules
 * of a timer or work item are its spec's ({@link DriverTimer.Spec}, {@link DriverWork.Spec}), asked at
 * parse time; the objects are found again by the names the scenario gave them ({@link RunNames}).
 */
final class ObjectSteps {

    private ObjectSteps() {
    }

    record ArmTimer(Step.Line line, String device, TimerMode mode, long delayNs, long periodNs, Scope scope,
                    Action action, Optional<String> work, Optional<String> as) implements Step.OnKernel {

        static ArmTimer parse(StepArgs args) {
            var mode = args.optWord("mode", TimerMode.class).orElseThrow();
            long delayNs = args.number("delayNs");
            long periodNs = args.optNumber("periodNs").orElse(0L);
            var scope = args.word("scope", Scope.class, Scope.DEVICE);
            var action = args.word("action", Action.class, Action.NOOP);
            var work = args.optText("work");
            args.kernelRules(() -> DriverTimer.Spec.check(mode, delayNs, periodNs, action, work.isPresent()));
            return new ArmTimer(args.line(), args.text("device"), mode, delayNs, periodNs, scope, action, work, args.optText("as"));
        }

        @Override
        public Optional<Step.Name> uses() {
            return work.map(alias -> new Step.Name("work", alias));
        }

        @Override
        public Optional<Step.Name> names() {
            return as.map(alias -> new Step.Name("timer", alias));
        }

        @Override
        public String apply(StepContext run) {
            var target = work.map(alias -> run.names().work(this, alias));
            var spec = new DriverTimer.Spec(mode, delayNs, periodNs, scope, action, target);
            var timer = run.kernel().timers().arm(PciAddress.parse(device), spec);
            as.ifPresent(alias -> run.names().timer(alias, timer));
            return "timer " + timer.id();
        }
    }

    record CancelTimer(Step.Line line, String timer) implements Step.OnKernel {

        static CancelTimer parse(StepArgs args) {
            return new CancelTimer(args.line(), args.text("timer"));
        }

        @Override
        public Optional<Step.Name> uses() {
            return Optional.of(new Step.Name("timer", timer));
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().timers().cancel(run.names().timer(this, timer).id());
            return null;
        }
    }

    record QueueWork(Step.Line line, String device, DriverWork.Spec spec, Optional<String> as) implements Step.OnKernel {

        static QueueWork parse(StepArgs args) {
            long delayNs = args.optNumber("delayNs").orElse(0L);
            long requeue = args.optNumber("requeue").orElse(0L);
            var scope = args.word("scope", Scope.class, Scope.DEVICE);
            var action = args.word("action", Action.class, Action.NOOP);
            var spec = args.kernelSpec(() -> new DriverWork.Spec(delayNs, requeue, scope, action));
            return new QueueWork(args.line(), args.text("device"), spec, args.optText("as"));
        }

        @Override
        public Optional<Step.Name> names() {
            return as.map(alias -> new Step.Name("work", alias));
        }

        @Override
        public String apply(StepContext run) {
            var work = run.kernel().work().queue(PciAddress.parse(device), spec);
            as.ifPresent(alias -> run.names().work(alias, work));
            return "work " + work.id();
        }
    }

    record CancelWork(Step.Line line, String work) implements Step.OnKernel {

        static CancelWork parse(StepArgs args) {
            return new CancelWork(args.line(), args.text("work"));
        }

        @Override
        public Optional<Step.Name> uses() {
            return Optional.of(new Step.Name("work", work));
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().work().cancel(run.names().work(this, work).id());
            return null;
        }
    }

    record OpenFile(Step.Line line, String device, Optional<String> as) implements Step.OnKernel {

        static OpenFile parse(StepArgs args) {
            return new OpenFile(args.line(), args.text("device"), args.optText("as"));
        }

        @Override
        public Optional<Step.Name> names() {
            return as.map(alias -> new Step.Name("file", alias));
        }

        @Override
        public String apply(StepContext run) {
            var file = run.kernel().files().open(PciAddress.parse(device));
            as.ifPresent(alias -> run.names().file(alias, file.fd()));
            return "fd " + file.fd();
        }
    }

    record CloseFile(Step.Line line, String file) implements Step.OnKernel {

        static CloseFile parse(StepArgs args) {
            return new CloseFile(args.line(), args.text("file"));
        }

        @Override
        public Optional<Step.Name> uses() {
            return Optional.of(new Step.Name("file", file));
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().files().close(run.names().file(this, file));
            return null;
        }
    }

    record ReadMmio(Step.Line line, String device, long offset) implements Step.OnKernel {

        static ReadMmio parse(StepArgs args) {
            long offset = offsetArg(args);
            return new ReadMmio(args.line(), args.text("device"), offset);
        }

        @Override
        public String apply(StepContext run) {
            return hex(run.kernel().mmio().read(PciAddress.parse(device), inBar0(offset)));
        }
    }

    record WriteMmio(Step.Line line, String device, long offset, long value) implements Step.OnKernel {

        static WriteMmio parse(StepArgs args) {
            long offset = offsetArg(args);
            long value = valueArg(args);
            return new WriteMmio(args.line(), args.text("device"), offset, value);
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().mmio().write(PciAddress.parse(device), inBar0(offset), in32Bits(value));
            return null;
        }
    }

    record FileRead(Step.Line line, String file, long offset) implements Step.OnKernel {

        static FileRead parse(StepArgs args) {
            long offset = offsetArg(args);
            return new FileRead(args.line(), args.text("file"), offset);
        }

        @Override
        public Optional<Step.Name> uses() {
            return Optional.of(new Step.Name("file", file));
        }

        @Override
        public String apply(StepContext run) {
            return hex(run.kernel().files().read(run.names().file(this, file), inBar0(offset)));
        }
    }

    record FileWrite(Step.Line line, String file, long offset, long value) implements Step.OnKernel {

        static FileWrite parse(StepArgs args) {
            long offset = offsetArg(args);
            long value = valueArg(args);
            return new FileWrite(args.line(), args.text("file"), offset, value);
        }

        @Override
        public Optional<Step.Name> uses() {
            return Optional.of(new Step.Name("file", file));
        }

        @Override
        public String apply(StepContext run) {
            run.kernel().files().write(run.names().file(this, file), inBar0(offset), in32Bits(value));
            return null;
        }
    }

    private static long offsetArg(StepArgs args) {
        return args.optNumberText("offset").orElseThrow();
    }

    private static long valueArg(StepArgs args) {
        return args.optNumberText("value").orElseThrow();
    }

    /** A register offset the kernel takes; one outside an int is the step's {@code EINVAL}, as the kernel's. */
    private static int inBar0(long offset) {
        if (offset < 0 || offset > Integer.MAX_VALUE) {
            throw KernelException.of(Errno.EINVAL, "offset " + offset + " is outside BAR0");
        }
        return (int) offset;
    }

    private static int in32Bits(long value) {
        if (value < 0 || value > 0xffff_ffffL) {
            throw KernelException.of(Errno.EINVAL, "value " + value + " does not fit in 32 bits");
        }
        return (int) value;
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
    }
}
