package dev.novahost.scenario;

import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.novacore.NovaCoreDriver;
import dev.novahost.kernel.novacore.NovaCoreModule;
import dev.novahost.kernel.pci.PciAddress;
import dev.novahost.kernel.task.Breakpoints;
import java.util.Optional;

/**
 * Holding a teardown between two of its steps: a teardown step's {@code "pauseAt"} names the point it is
 * held at ({@link Breakpoints}), {@code resume} lets it go on (to the next point, if it names one). A
 * point is written without its owner, which the runner adds: {@code "devres:driver data"},
 * {@code "remove:pci_iounmap"} for the step's device, {@code "module_exit"}, {@code "module_free"} for
 * nova-core. A point that names its device ({@code "0000:01:00.0 devres:driver data"}: an unload's
 * unbind of that device) is taken as written, and a last {@code :<alias>} after two colons, a timer,
 * work item or file of the scenario, becomes that object's id ({@code "remove:hrtimer_cancel:t"}).
 * {@link SimulatedCpus} holds the teardown on a CPU of its own and argues why the order stays fixed.
 */
final class HoldSteps {

    private HoldSteps() {
    }

    /**
     * A teardown step that may be held on its way:
     * {@code unbind}, {@code remove-device}, {@code surprise-removal}, {@code unload}.
     */
    interface Holdable {

        /** The point to hold it at, as the scenario wrote it. */
        Optional<String> pauseAt();

        /** Whose points it reaches when written without an owner: its device's address. */
        String owner();
    }

    /** {@code "pauseAt"}: a point, not blank. */
    static Optional<String> pauseAt(StepArgs args) {
        var point = args.optText("pauseAt").map(String::trim);
        if (point.filter(String::isEmpty).isPresent()) {
            throw args.fail("'pauseAt' names a teardown point, e.g. \"devres:driver data\" or \"module_exit\"");
        }
        return point;
    }

    /** The point's full name: its owner added, unless written; a scenario alias at its end made the object's id. */
    static String point(String owner, String written, RunNames names) {
        int space = written.indexOf(' ');
        if (space > 0 && namesOwner(written.substring(0, space))) {
            return written;
        }
        String step = withId(written, names);
        return Breakpoints.point(NovaCoreModule.POINTS.contains(step) ? NovaCoreDriver.NAME : canonical(owner), step);
    }

    private static boolean namesOwner(String word) {
        if (word.equals(NovaCoreDriver.NAME)) {
            return true;
        }
        try {
            PciAddress.parse(word);
            return true;
        } catch (KernelException notAnAddress) {
            return false;
        }
    }

    /** The address as the kernel writes it; a bad one as written (the step fails with EINVAL, and the point is never reached). */
    private static String canonical(String owner) {
        try {
            return PciAddress.parse(owner).toString();
        } catch (KernelException notAnAddress) {
            return owner;
        }
    }

    private static String withId(String step, RunNames names) {
        int last = step.lastIndexOf(':');
        if (step.indexOf(':') == last) {
            return step;
        }
        return names.idOf(step.substring(last + 1)).map(id -> step.substring(0, last + 1) + id).orElse(step);
    }

    /**
     * {@code resume}: the held teardown goes on from its point; it completes (that step's
     * {@code blockedUntil} names this one), is held again at {@code pauseAt}, or waits for the callback in
     * flight and completes in that callback's {@code finish-callback}.
     */
    record Resume(Step.Line line, Optional<String> pauseAt) implements Step.OnCpus {

        static Resume parse(StepArgs args) {
            var next = HoldSteps.pauseAt(args);
            return new Resume(args.line(), next);
        }

        @Override
        public String apply(StepContext run) {
            var next = pauseAt.map(written -> point(run.cpus().heldOwner(this), written, run.names()));
            var resumed = run.cpus().resume(this, run.kernel().breakpoints(), next);
            run.completed(resumed.completed());
            return resumed.now();
        }
    }
}
