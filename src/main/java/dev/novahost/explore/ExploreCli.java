package dev.novahost.explore;

import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.report.ReportFormat;
import dev.novahost.scenario.ScenarioCli;
import dev.novahost.scenario.ScenarioException;
import dev.novahost.scenario.ScenarioOverrun;
import dev.novahost.scenario.ScenarioRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Explores a scenario's teardown from the command line, without the server:
 * {@code java -jar nova-host.jar explore NAME|FILE [--policies revocable,fenced] [--bound 2] [--budget 10000]
 * [--format junit|ktap]}. Prints the {@link Exploration} as JSON on stdout, or as a test report
 * ({@link ExplorationReports}); {@code explore all} explores every built-in race and prints the list. Exit 0 when no explored schedule ends in a violation
 * or a deadlock, 1 when one does (a CI job fails on a teardown that is wrong in some interleaving), 2 for
 * bad input, 3 when a run went over its budget; every reason for 2 and 3 goes to stderr as one line.
 */
public final class ExploreCli {

    private static final String USAGE = "usage: explore NAME|FILE|all [--policies revocable,fenced] [--bound N (0-"
            + Explorer.MAX_BOUND + ", default " + Explorer.DEFAULT_BOUND + ")] [--budget N (schedules per policy, 1-"
            + Explorer.MAX_BUDGET + ", default " + Explorer.DEFAULT_BUDGET + ")] [--format junit|ktap]; exit 0 no violating schedule,"
            + " 1 violating schedules found, 2 bad input, 3 over budget";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The word that explores every built-in race, one after the other: {@code explore all}. */
    private static final String ALL = "all";
    /** On the command line the machine is the user's own: an hour before an exploration is given up. */
    private static final Duration EXPLORATION_TIME = Duration.ofHours(1);

    private ExploreCli() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        try {
            var command = Command.parse(args);
            var names = command.scenario().equals(ALL) ? Explorer.builtInRaces() : List.of(command.scenario());
            var explorer = new Explorer(new ScenarioRunner(), Runtime.getRuntime().availableProcessors(), EXPLORATION_TIME);
            var explorations = new ArrayList<Exploration>();
            for (String name : names) {
                explorations.add(explorer.explore(JSON.readTree(ScenarioCli.source(name)), command.policies(), command.bound(),
                        command.budget()));
            }
            boolean all = command.scenario().equals(ALL);
            Object printed = all ? explorations : explorations.getFirst();
            var report = all ? ExplorationReports.of(explorations) : ExplorationReports.of(explorations.getFirst());
            out.print(command.format().map(f -> f.write(report))
                    .orElseGet(() -> JSON.writerWithDefaultPrettyPrinter().writeValueAsString(printed) + "\n"));
            return explorations.stream().flatMap(e -> e.policies().stream()).anyMatch(p -> p.violating() > 0) ? 1 : 0;
        } catch (ScenarioOverrun over) {
            err.println("explore: " + over.getMessage() + " (exit 3)");
            return 3;
        } catch (ScenarioException | KernelException | IllegalArgumentException bad) {
            err.println("explore: " + bad.getMessage());
            return 2;
        } catch (IOException | tools.jackson.core.JacksonException unreadable) {
            err.println("explore: cannot read the scenario: " + unreadable.getMessage());
            return 2;
        }
    }

    private record Command(String scenario, List<Policy> policies, int bound, int budget, Optional<ReportFormat> format) {

        static Command parse(List<String> args) {
            var positional = new ArrayList<String>();
            List<Policy> policies = Arrays.asList(Policy.values());
            int bound = Explorer.DEFAULT_BOUND;
            int budget = Explorer.DEFAULT_BUDGET;
            Optional<ReportFormat> format = Optional.empty();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (!arg.startsWith("--")) {
                    positional.add(arg);
                    continue;
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(arg + " needs a value; " + USAGE);
                }
                String value = args.get(++i);
                switch (arg) {
                    case "--policies" -> policies = ScenarioCli.policies(value);
                    case "--bound" -> bound = number(arg, value);
                    case "--budget" -> budget = number(arg, value);
                    case "--format" -> format = Optional.of(ReportFormat.named(value));
                    default -> throw new IllegalArgumentException("unknown option " + arg + "; " + USAGE);
                }
            }
            if (positional.size() != 1) {
                throw new IllegalArgumentException(USAGE);
            }
            return new Command(positional.getFirst(), policies, bound, budget, format);
        }

        private static int number(String option, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException(option + " takes a whole number, not '" + value + "'");
            }
        }
    }
}
