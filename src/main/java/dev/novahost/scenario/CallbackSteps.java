package dev.novahost.scenario;

import dev.novahost.kernel.novacore.CallbackHold;
import dev.novahost.kernel.pci.PciAddress;
import java.util.Optional;

/**
 * The steps that make interleavings: {@code start-callback} lets a timer's or work item's callback, or
 * a device's interrupt handler, begin and holds it in flight on a CPU of its own; {@code finish-callback}
 * lets it end, and the steps that waited for it complete (or says that it deadlocked instead).
 * {@link SimulatedCpus} runs them; each names exactly one callback.
 */
final class CallbackSteps {

    private static final String IRQ = "irq ";

    private CallbackSteps() {
    }

    /**
     * {@code start-callback}: a timer's next expiry, a work item's next run, or the device's next PTIMER
     * alarm interrupt (as its registers were written), begins and is held there, before the callback does
     * anything (an IRQ handler: before it takes {@code &nd->lock}).
     */
    record Start(Step.Line line, Step.Name callback) implements Step.OnCpus {

        static Start parse(StepArgs args) {
            var callback = namedCallback(args);
            return new Start(args.line(), callback);
        }

        @Override
        public Optional<Step.Name> uses() {
            return named(callback);
        }

        @Override
        public String apply(StepContext run) {
            String alias = callback.alias();
            if (run.cpus().inFlight(alias)) {
                throw fail(alias + " already has a callback in flight");
            }
            CallbackHold hold;
            long until;
            switch (callback.kind()) {
                case "timer" -> {
                    var timer = run.names().timer(this, alias);
                    until = timer.nextExpiry().orElseThrow(() ->
                            fail("timer " + alias + " is not armed, so no callback of it can start"));
                    hold = timer.holdNextCallback();
                }
                case "work" -> {
                    hold = run.names().work(this, alias).holdNextRun();
                    until = run.clock().nanoTime();
                }
                default -> {
                    var device = PciAddress.parse(alias.substring(IRQ.length()));
                    until = run.kernel().bus().get(device).bar0().alarmDeadline();
                    if (until == Long.MAX_VALUE) {
                        throw fail("the PTIMER alarm of " + device + " is not enabled, so its handler cannot start:"
                                + " write NV_PTIMER_ALARM_0 (0x9420) and NV_PTIMER_INTR_EN_0 (0x9140) first");
                    }
                    hold = run.kernel().novaCore(device).holdNextInterrupt();
                }
            }
            run.cpus().start(this, alias, hold, until);
            return alias + " in flight at " + until + " ns";
        }
    }

    /** {@code finish-callback}: the callback in flight ends; the steps that waited for it complete now. */
    record Finish(Step.Line line, Step.Name callback) implements Step.OnCpus {

        static Finish parse(StepArgs args) {
            var callback = namedCallback(args);
            return new Finish(args.line(), callback);
        }

        @Override
        public Optional<Step.Name> uses() {
            return named(callback);
        }

        @Override
        public String apply(StepContext run) {
            var finished = run.cpus().finish(this, callback.alias());
            run.completed(finished.completed());
            return finished.deadlock().orElse(callback.alias() + " finished");
        }
    }

    /**
     * The callback a step names: exactly one timer or work item (by the name a step gave it) or device
     * whose interrupt handler it is ({@code irq 0000:01:00.0} in the run's words).
     */
    private static Step.Name namedCallback(StepArgs args) {
        var timer = args.optText("timer");
        var work = args.optText("work");
        var irq = args.optText("irq");
        if ((timer.isPresent() ? 1 : 0) + (work.isPresent() ? 1 : 0) + (irq.isPresent() ? 1 : 0) != 1) {
            throw args.fail(args.op() + " names exactly one callback: 'timer', 'work' or 'irq' (a device)");
        }
        if (irq.isPresent()) {
            return new Step.Name("irq", IRQ + irq.get());
        }
        return timer.map(alias -> new Step.Name("timer", alias)).orElseGet(() -> new Step.Name("work", work.orElseThrow()));
    }

    /** A timer or work item must have been named by an earlier step; a device's handler needs no name. */
    private static Optional<Step.Name> named(Step.Name callback) {
        return callback.kind().equals("irq") ? Optional.empty() : Optional.of(callback);
    }
}
