package dev.novahost.scenario;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One scenario run under several policies, side by side: each run whole, and for each policy how many
 * violations of each kind and outcome it saw ({@code timer_free_active/prevented: 1}).
 */
public record ScenarioComparison(Map<String, Map<String, Long>> violations, Map<String, ScenarioResult> runs) {

    public static ScenarioComparison of(Map<String, ScenarioResult> runs) {
        var table = new LinkedHashMap<String, Map<String, Long>>();
        runs.forEach((policy, result) -> {
            var counts = new TreeMap<String, Long>();
            result.violations().forEach(v -> counts.merge(v.kind() + "/" + v.outcome(), v.count(), Long::sum));
            table.put(policy, counts);
        });
        return new ScenarioComparison(table, runs);
    }
}
