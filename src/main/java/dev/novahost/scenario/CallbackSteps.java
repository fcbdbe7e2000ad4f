package dev.novahost.scenario;

import dev.novahost.kernel.novacore.CallbackHold;
import java.util.Optional;

/**
 * The steps that make interleavings: {@code start-callback} lets a timer's or work item's callback
 * begin and holds it in flight on a CPU of its own; {@code finish-callback} lets it end, and the steps
 * that waited for it complete. {@link SimulatedCpus} runs them; each names exactly one callback.
 */
final class CallbackSteps {

    private CallbackSteps() {
    }

    /** {@code start-callback}: a timer's next expiry, or a work item's next run, begins and is held there. */
    record Start(Step.Line line, Step.Name callback) implements Step.OnCpus {

        static Start parse(StepArgs args) {
            var callback = namedCallback(args);
            return new Start(args.line(), callback);
        }

        @Override
        public Optional<Step.Name> uses() {
            return Optional.of(callback);
        }

        @Override
        public String apply(StepContext run) {
            String alias = callback.alias();
            if (run.cpus().inFlight(alias)) {
                throw fail(alias + " already has a callback in flight");
            }
            CallbackHold hold;
            long until;
            if (callback.kind().equals("timer")) {
                var timer = run.names().timer(this, alias);
                until = timer.nextExpiry().orElseThrow(() ->
                        fail("timer " + alias + " is not armed, so no callback of it can start"));
                hold = timer.holdNextCallback();
            } else {
                hold = run.names().work(this, alias).holdNextRun();
                until = run.clock().nanoTime();
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
            return Optional.of(callback);
        }

        @Override
        public String apply(StepContext run) {
            var finished = run.cpus().finish(this, callback.alias());
            run.completed(finished.completed());
            return finished.deadlock().orElse(callback.alias() + " finished");
        }
    }

    /** The callback a step names: exactly one timer or work item. */
    private static Step.Name namedCallback(StepArgs args) {
        var timer = args.optText("timer");
        var work = args.optText("work");
        if (timer.isPresent() == work.isPresent()) {
            throw args.fail(args.op() + " names exactly one callback: 'timer' or 'work'");
        }
        return timer.map(alias -> new Step.Name("timer", alias)).orElseGet(() -> new Step.Name("work", work.orElseThrow()));
    }
}
