package dev.novahost.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The benchmarks are not part of the suite, but they must not rot: every JMH benchmark runs one short
 * iteration in this JVM (no fork, no warm-up, the smallest sizes), and the two harnesses run one small
 * round. Numbers are meaningless here; a benchmark that throws or checks an invariant and fails, fails.
 */
class BenchmarkSmokeTest {

    @Test
    void everyJmhBenchmarkRunsOneShortIteration() throws RunnerException {
        var options = new OptionsBuilder()
                .include("dev\\.novahost\\.bench\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(50))
                .param("register", "0x000000")
                .param("timers", "0", "1000")
                .param("policy", "revocable", "srcu")
                .param("steps", "100")
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();

        Collection<RunResult> results = new Runner(options).run();

        assertThat(results).extracting(r -> r.getParams().getBenchmark().replace("dev.novahost.bench.", ""))
                .contains("BarReadBench.revocable", "BarReadBench.fenced", "BarReadBench.srcu", "BarReadBench.bound",
                        "BarReadBench.rwLock",
                        "BarWriteBench.revocable", "BarWriteBench.fenced", "BarWriteBench.rwLock",
                        "RevokeBench.underLoad", "RevokeBench.underReads", "UnbindBench.unbind",
                        "VirtualTimeBench.expirations", "VirtualTimeBench.scenario",
                        "EventLogBench.strings", "EventLogBench.typed", "EventLogBench.typedAndRead",
                        "ExploreBench.explore", "ExploreBench.run");
    }

    @Test
    void theRealTimeTimerHarnessRunsOneSmallRound() throws InterruptedException {
        TimerLatencyRun.main(new String[] {"--timers", "2000", "--spread-ms", "50", "--rounds", "1", "--warmup", "0"});
    }

    @Test
    void theHeapHarnessRunsOnASmallHost() {
        HeapRun.main(new String[] {"--devices", "20", "--timers", "2"});
    }
}
