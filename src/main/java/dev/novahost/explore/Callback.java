package dev.novahost.explore;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An asynchronous callback that may race a teardown: a timer's or work item's callback, a device's
 * interrupt handler, or a file operation from another task, by the name the scenario gave it. It fires
 * at most {@code firings} times in one schedule (a periodic timer or a self-requeueing work item twice,
 * anything else once): enough to place one run before and one after any step it races.
 *
 * <p>What it touches decides which teardown steps it does not commute with ({@link #dependsOn}): the
 * partial-order reduction places it only after those.
 */
record Callback(Kind kind, String alias, int firings, boolean touchesBar, boolean takesLock, boolean queuesWork) {

    enum Kind {
        TIMER("timer"), WORK("work"), IRQ("irq"), FILE("file");

        final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    /** The steps every callback races: remove() returning is found by position ({@link ScheduleSpace}). */
    private static final List<String> EVERYONE = List.of("devres:driver data", "module_exit", "module_free");
    private static final List<String> BAR = List.of("remove:pci_iounmap", "devres:pci_iomap BAR0");
    private static final List<String> LOCK = List.of("remove:mutex_lock", "remove:mutex_unlock");
    private static final Map<Kind, List<String>> OWN = Map.of(
            Kind.TIMER, List.of("remove:hrtimer_cancel"),
            Kind.WORK, List.of("remove:cancel_work_sync"),
            Kind.IRQ, List.of("remove:free_irq", "devres:request_irq"),
            Kind.FILE, List.of("remove:disconnect_files"));

    /**
     * Whether the teardown step {@code step} (a point's name without its device) and this callback may
     * not be swapped: the step changes something the callback reads or waits for, or waits for it. Every
     * step a word of which is a prefix counts ({@code remove:hrtimer_cancel:3} races every timer: which
     * timer has id 3 is the kernel's to say), so the relation errs towards placing more.
     */
    boolean dependsOn(String step) {
        return startsWithAny(step, EVERYONE) || startsWithAny(step, OWN.get(kind))
                || (touchesBar && startsWithAny(step, BAR))
                || ((takesLock || kind == Kind.IRQ) && startsWithAny(step, LOCK))
                || (queuesWork && startsWithAny(step, OWN.get(Kind.WORK)));
    }

    private static boolean startsWithAny(String step, List<String> words) {
        return words.stream().anyMatch(step::startsWith);
    }

    /** The scenario step that begins one run and holds it in flight; a file operation has none. */
    ObjectNode start() {
        return callbackStep("start-callback");
    }

    /** The scenario step that ends the run in flight. */
    ObjectNode finish() {
        return callbackStep("finish-callback");
    }

    /** A file operation: one step, which runs whole (beside a callback in flight, on a CPU of its own). */
    ObjectNode operation() {
        return JsonNodeFactory.instance.objectNode().put("op", "file-read").put("file", alias).put("offset", "0x0");
    }

    private ObjectNode callbackStep(String op) {
        return JsonNodeFactory.instance.objectNode().put("op", op).put(kind.word, alias);
    }

    /** How a schedule's description names it: {@code timer t}, {@code irq 0000:01:00.0}. */
    String label() {
        return kind.word + " " + alias;
    }
}
