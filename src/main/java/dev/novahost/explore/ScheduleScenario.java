package dev.novahost.explore;

import dev.novahost.kernel.Policy;
import dev.novahost.kernel.WireWord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A schedule written as an ordinary scenario, which {@code scenarios/run} replays as it is: the policy,
 * the race's setup, then the schedule laid out in time. The teardown is held at each point where a
 * callback is placed ({@code pauseAt}) and let go on to the next ({@code resume}); a callback in flight
 * is {@code start-callback} … {@code finish-callback}, one that fires whole is the two in a row.
 *
 * @param steps the scenario's steps, the policy first
 */
record ScheduleScenario(List<ObjectNode> steps) {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    static ScheduleScenario of(TeardownRace race, List<String> points, Schedule schedule, Policy policy) {
        var steps = new ArrayList<ObjectNode>();
        steps.add(JSON.objectNode().put("op", "set-policy").put("policy", WireWord.of(policy)));
        race.setup().forEach(step -> steps.add(step.deepCopy()));
        var layout = schedule.layout(points.size());
        var held = heldPositions(layout, points.size());
        int next = 0; // index into held: the next position the teardown is to be held at
        for (var entry : layout) {
            switch (entry.event()) {
                case SEGMENT -> {
                    if (entry.position() != 0 && !held.contains(entry.position())) {
                        continue; // the teardown runs on through a point nothing is placed at
                    }
                    var hold = next < held.size() ? points.get(held.get(next) - 1) : null;
                    next++;
                    var step = entry.position() == 0 ? race.teardown().deepCopy() : JSON.objectNode().put("op", "resume");
                    if (hold != null) {
                        step.put("pauseAt", hold);
                    }
                    steps.add(step);
                }
                case START -> steps.add(race.callbacks().get(entry.callback()).start());
                case FINISH -> steps.add(race.callbacks().get(entry.callback()).finish());
                case FIRE -> {
                    var callback = race.callbacks().get(entry.callback());
                    if (callback.kind() == Callback.Kind.FILE) {
                        steps.add(callback.operation());
                    } else {
                        steps.add(callback.start());
                        steps.add(callback.finish());
                    }
                }
            }
        }
        return new ScheduleScenario(List.copyOf(steps));
    }

    /**
     * The schedule in words, from the steps of a scenario written by {@link #of} (and perhaps shrunk
     * since): one line per callback event and per stretch of the teardown; the setup is not repeated.
     */
    static List<String> describe(TeardownRace race, List<ObjectNode> steps) {
        String teardownOp = race.teardown().get("op").asString();
        String teardown = teardownOp + " " + race.pointPrefix();
        var description = new ArrayList<String>();
        for (var step : steps) {
            var op = step.get("op").asString();
            var hold = step.has("pauseAt") ? ", up to " + step.get("pauseAt").asString() : " to its end";
            var callback = step.has("timer") ? "timer " + step.get("timer").asString()
                    : step.has("work") ? "work " + step.get("work").asString()
                    : step.has("irq") ? "irq " + step.get("irq").asString() : "";
            switch (op) {
                case "start-callback" -> description.add(callback + " starts and is held in flight");
                case "finish-callback" -> description.add(callback + " finishes");
                case "resume" -> description.add(teardown + " goes on" + hold);
                case "file-read" -> description.add("file " + step.get("file").asString() + " is read by another task");
                default -> {
                    if (op.equals(teardownOp)) {
                        description.add(teardown + " starts" + hold);
                    }
                }
            }
        }
        return List.copyOf(description);
    }

    /**
     * {@code steps} without the unit that begins at step {@code i}, if it is one that can go: a setup step
     * (not the teardown), a callback run ({@code start-callback} with the next {@code finish-callback} of
     * the same callback), a file operation, or a {@code resume} right after the step that held the
     * teardown (that step then holds no more).
     */
    static Optional<List<ObjectNode>> without(TeardownRace race, List<ObjectNode> steps, int i) {
        var fewer = new ArrayList<>(steps);
        var step = steps.get(i);
        var op = step.get("op").asString();
        String teardownOp = race.teardown().get("op").asString();
        int teardown = indexOf(steps, teardownOp);
        switch (op) {
            case "finish-callback", "set-policy" -> {
                return Optional.empty();
            }
            case "start-callback" -> {
                int finish = nextFinish(steps, i);
                if (finish < 0) {
                    return Optional.empty();
                }
                fewer.remove(finish);
                fewer.remove(i);
            }
            case "resume" -> {
                var holder = steps.get(i - 1);
                if (!holder.has("pauseAt") || !(holder.get("op").asString().equals("resume") || i - 1 == teardown)) {
                    return Optional.empty();
                }
                var released = holder.deepCopy();
                released.remove("pauseAt");
                if (step.has("pauseAt")) {
                    released.set("pauseAt", step.get("pauseAt"));
                }
                fewer.set(i - 1, released);
                fewer.remove(i);
            }
            default -> {
                if (i == teardown) {
                    return Optional.empty();
                }
                fewer.remove(i);
            }
        }
        return Optional.of(List.copyOf(fewer));
    }

    private static int indexOf(List<ObjectNode> steps, String op) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).get("op").asString().equals(op)) {
                return i;
            }
        }
        return -1;
    }

    /** The {@code finish-callback} that ends the run {@code steps.get(start)} begins. */
    private static int nextFinish(List<ObjectNode> steps, int start) {
        var begun = steps.get(start);
        for (int i = start + 1; i < steps.size(); i++) {
            var step = steps.get(i);
            if (step.get("op").asString().equals("finish-callback") && sameCallback(begun, step)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean sameCallback(ObjectNode a, ObjectNode b) {
        for (String kind : List.of("timer", "work", "irq")) {
            if (a.has(kind) || b.has(kind)) {
                return a.has(kind) && b.has(kind) && a.get(kind).asString().equals(b.get(kind).asString());
            }
        }
        return false;
    }

    /** The positions inside the teardown (1 to points) at which some callback event is placed, in order. */
    private static List<Integer> heldPositions(List<Schedule.Entry> layout, int points) {
        return layout.stream().filter(e -> e.event() != Schedule.Event.SEGMENT)
                .map(Schedule.Entry::position).filter(p -> p >= 1 && p <= points).distinct().sorted().toList();
    }

    /** The scenario JSON with these steps. */
    static ObjectNode json(String name, String title, String description, long seed, List<ObjectNode> steps) {
        var scenario = JSON.objectNode().put("name", name).put("title", title).put("description", description)
                .put("seed", seed);
        ArrayNode array = scenario.putArray("steps");
        steps.forEach(array::add);
        return scenario;
    }
}
