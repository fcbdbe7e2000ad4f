package dev.novahost.scenario;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A scripted story to run in a fresh kernel on virtual time: a name, a description of the case (what
 * the kernel thread said of it, for built-ins), a seed, and its steps. Parsing checks every step before
 * anything runs, so a bad scenario is refused whole, naming the step at fault: an unknown op or
 * argument, a missing one, a word outside its set, or a timer, work item or file used under a name no
 * earlier step gave it ({@code "as"}).
 */
public record Scenario(String name, String title, String description, long seed, List<Step> steps) {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final int MAX_STEPS = 100_000;

    private static final Set<String> FIELDS = Set.of("name", "title", "description", "seed", "steps");

    public static Scenario parse(String json) {
        try {
            return parse(JSON.readTree(json));
        } catch (JacksonException notJson) {
            throw new ScenarioException(-1, "the scenario is not valid JSON: " + notJson.getOriginalMessage());
        }
    }

    public static Scenario parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new ScenarioException(-1, "a scenario is a JSON object with \"steps\"");
        }
        for (String field : node.propertyNames()) {
            if (!FIELDS.contains(field)) {
                throw new ScenarioException(-1, "a scenario has no field '" + field + "'; it has " + FIELDS);
            }
        }
        var stepsNode = node.get("steps");
        if (stepsNode == null || !stepsNode.isArray() || stepsNode.isEmpty()) {
            throw new ScenarioException(-1, "a scenario needs a non-empty \"steps\" array");
        }
        if (stepsNode.size() > MAX_STEPS) {
            throw new ScenarioException(-1, "a scenario has at most " + MAX_STEPS + " steps");
        }
        var seed = node.get("seed");
        if (seed != null && !seed.canConvertToLong()) {
            throw new ScenarioException(-1, "\"seed\" must be a whole number");
        }
        var steps = new ArrayList<Step>();
        var named = new HashMap<String, Set<String>>();
        for (int i = 0; i < stepsNode.size(); i++) {
            var step = Step.of(i, stepsNode.get(i));
            checkReferences(step, named);
            steps.add(step);
        }
        return new Scenario(text(node, "name", "unnamed"), text(node, "title", ""), text(node, "description", ""),
                seed == null ? 0 : seed.asLong(), List.copyOf(steps));
    }

    /** Every timer, work item and file a step refers to was named by an earlier step. */
    private static void checkReferences(Step step, Map<String, Set<String>> named) {
        step.uses().ifPresent(used -> {
            if (!named.getOrDefault(used.kind(), Set.of()).contains(used.alias())) {
                throw step.fail("no earlier step made a " + used.kind() + " named '" + used.alias()
                        + "' (give it one with \"as\")");
            }
        });
        step.names().ifPresent(name -> named.computeIfAbsent(name.kind(), k -> new HashSet<>()).add(name.alias()));
    }

    private static String text(JsonNode node, String field, String absent) {
        var value = node.get(field);
        return value == null || value.isNull() ? absent : value.asString();
    }
}
