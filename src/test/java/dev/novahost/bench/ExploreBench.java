package dev.novahost.bench;

import dev.novahost.explore.Explorer;
import dev.novahost.kernel.Policy;
import dev.novahost.scenario.Scenario;
import dev.novahost.scenario.ScenarioRunner;
import dev.novahost.scenario.Scenarios;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 18's throughput: one exploration of a built-in's teardown under every policy at bound 2 on one
 * thread ({@code explore}; its {@code schedules} counter is how many schedules ran, so schedules per
 * second per core is that over the time), beside its baseline in the same run: one run of the same
 * scenario as its author wrote it ({@code run}), which is what a schedule is at least. The longest
 * built-in by schedules is the default; {@code -p scenario=all} explores every built-in that tears
 * something down (the "under 10 s in total"), beside one run of each. Run with {@code -t 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ExploreBench {

    @Param("timer-requeues-cancelled-work")
    public String scenario;

    private final ScenarioRunner runner = new ScenarioRunner();
    private final Explorer explorer = new Explorer(runner, 1, Duration.ofMinutes(10));
    private List<JsonNode> json;
    private List<Scenario> parsed;

    /** Schedules run per exploration, as JMH's secondary result: divide by the time for the rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Schedules {
        public long schedules;

        @Setup(Level.Iteration)
        public void clear() {
            schedules = 0;
        }
    }

    @Setup
    public void read() {
        var names = scenario.equals("all") ? Explorer.builtInRaces() : List.of(scenario);
        var sources = names.stream().map(name -> Scenarios.source(name).orElseThrow()).toList();
        var mapper = JsonMapper.builder().build();
        json = sources.stream().map(mapper::readTree).toList();
        parsed = sources.stream().map(Scenario::parse).toList();
    }

    @Benchmark
    public Object explore(Schedules counted) {
        var explorations = new ArrayList<Object>();
        for (var race : json) {
            var exploration = explorer.explore(race, Arrays.asList(Policy.values()), Explorer.DEFAULT_BOUND, Explorer.MAX_BUDGET);
            counted.schedules += exploration.policies().stream().mapToLong(p -> p.explored()).sum();
            explorations.add(exploration);
        }
        return explorations;
    }

    @Benchmark
    public Object run() {
        var results = new ArrayList<Object>();
        for (var written : parsed) {
            results.add(runner.run(written, Optional.of(Policy.FENCED)));
        }
        return results;
    }
}
