package dev.novahost.scenario;

import dev.novahost.kernel.KernelException;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.WireWord;
import dev.novahost.kernel.pci.Chipset;
import dev.novahost.report.ReportFormat;
import dev.novahost.report.TestReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs a scenario from the command line, without the server:
 * {@code java -jar nova-host.jar scenario FILE|NAME [--policies revocable,fenced] [--budget KIND=VALUE]}, or
 * {@code scenario sweep [--chipset GA102] [--policies ...]} for a {@link Sweep} printed as a table.
 * Prints the result (with {@code --policies}, the comparison) as JSON on stdout, or with
 * {@code --format junit|ktap} as a test report ({@link ScenarioReports}), and exits with one of
 * {@link Exit}'s codes; every reason for a code other than 0 and 1 goes to stderr as one line. The run
 * is held to the server's default {@link ScenarioBudget}, which {@code --budget} changes.
 *
 * <p>FILE is read only if it is a regular file of at most {@link #MAX_FILE_BYTES}: a FIFO, a directory
 * or a device is refused from its attributes, without opening it (opening a FIFO would wait for a writer).
 */
public final class ScenarioCli {

    /** The exit codes, documented in the usage text and the README. */
    enum Exit {
        PASSED(0, "every expectation held"),
        FAILED(1, "an expectation failed"),
        BAD_INPUT(2, "the command line, the file or the scenario is bad"),
        OVER_BUDGET(3, "the run went over a budget"),
        OUT_OF_MEMORY(4, "the run ran out of memory");

        final int code;
        final String meaning;

        Exit(int code, String meaning) {
            this.code = code;
            this.meaning = meaning;
        }
    }

    /** 16 MiB: sixteen times the server's request-body limit, and far more than 100,000 steps take. */
    static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    private static final String USAGE = "usage: scenario FILE|NAME [--policies revocable,fenced] [--budget KIND=VALUE]..."
            + " [--format junit|ktap] | scenario sweep [--operation bind|load] [--chipset GA102]"
            + " [--policies revocable,fenced] [--budget KIND=VALUE]... [--format junit|ktap]"
            + "; budgets (KIND): " + budgets() + "; exit codes: " + exitCodes() + "; built-in: " + Scenarios.BUILT_IN;

    /** Kept ready: with the heap exhausted, building a message could fail in turn. */
    private static final String OUT_OF_MEMORY = "scenario: the run ran out of memory (exit " + Exit.OUT_OF_MEMORY.code
            + "); lower a budget with --budget, or give the JVM more heap (-Xmx)";

    private ScenarioCli() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        try {
            return execute(args, out, err).code;
        } catch (OutOfMemoryError exhausted) {
            err.println(OUT_OF_MEMORY);
            return Exit.OUT_OF_MEMORY.code;
        }
    }

    private static Exit execute(List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty() && args.getFirst().equals(SWEEP)) {
            return sweep(args.subList(1, args.size()), out, err);
        }
        try {
            var command = Command.parse(args);
            var scenario = load(command.scenario());
            var runner = new ScenarioRunner(command.budget());
            if (command.policies().isEmpty()) {
                var result = runner.run(scenario, Optional.empty());
                out.print(printed(command.format(), result, () -> ScenarioReports.of(result)));
                return result.passed() ? Exit.PASSED : Exit.FAILED;
            }
            var comparison = runner.compare(scenario, command.policies());
            out.print(printed(command.format(), comparison, () -> ScenarioReports.of(comparison)));
            return comparison.runs().values().stream().allMatch(ScenarioResult::passed) ? Exit.PASSED : Exit.FAILED;
        } catch (ScenarioOverrun over) {
            err.println("scenario: " + over.getMessage() + " (exit " + Exit.OVER_BUDGET.code + ")");
            return Exit.OVER_BUDGET;
        } catch (ScenarioException | IllegalArgumentException bad) {
            err.println("scenario: " + bad.getMessage());
            return Exit.BAD_INPUT;
        } catch (IOException unreadable) {
            err.println("scenario: cannot read " + unreadable.getMessage());
            return Exit.BAD_INPUT;
        }
    }

    /** The answer as JSON, or with {@code --format} as a test report in that format. */
    private static String printed(Optional<ReportFormat> format, Object answer, Supplier<TestReport> report) {
        return format.map(f -> f.write(report.get())).orElseGet(() ->
                Scenario.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer) + System.lineSeparator());
    }

    /** The word that makes the command a sweep: {@code scenario sweep [--chipset GA102] ...}. */
    static final String SWEEP = "sweep";

    /**
     * {@code scenario sweep}: nova-core's bind (or load) walked with fail-nth ({@link Sweep}), printed as a
     * table, one row per step and policy, then the timeline of each step with a failed check (or with
     * {@code --format}, as a test report); exit 0 when every step passed, 1 when one did not.
     */
    private static Exit sweep(List<String> args, PrintStream out, PrintStream err) {
        try {
            var command = SweepCommand.parse(args);
            var result = new ScenarioRunner(command.budget()).sweep(command.operation(), Sweep.NOVA_CORE,
                    command.chipset(), command.policies());
            if (command.format().isPresent()) {
                out.print(command.format().get().write(ScenarioReports.of(result)));
            } else {
                printTable(result, out);
            }
            return result.passed() ? Exit.PASSED : Exit.FAILED;
        } catch (ScenarioOverrun over) {
            err.println("scenario: " + over.getMessage() + " (exit " + Exit.OVER_BUDGET.code + ")");
            return Exit.OVER_BUDGET;
        } catch (KernelException | IllegalArgumentException bad) {
            err.println("scenario: " + bad.getMessage());
            return Exit.BAD_INPUT;
        }
    }

    private static void printTable(Sweep.Result result, PrintStream out) {
        out.println("sweep: " + result.operation() + " of " + result.driver() + " with a " + result.chipset()
                + ", each fallible step failed once");
        String row = "%-10s %3s  %-20s %-10s %-5s %s%n";
        out.printf(row, "POLICY", "N", "POINT", "ERRNO", "OK", "CHECKS");
        int steps = 0;
        int failed = 0;
        for (var walk : result.walks().entrySet()) {
            for (var step : walk.getValue().steps()) {
                steps++;
                failed += step.passed() ? 0 : 1;
                var checks = step.checks().stream().map(check -> check.passed() ? check.name()
                        : check.name() + " FAILED (" + check.detail() + ")").toList();
                out.printf(row, walk.getKey(), step.n(), step.point() == null ? "(none: bound)" : step.point(),
                        step.errno() == null ? "-" : step.errno(), step.passed() ? "pass" : "FAIL",
                        String.join(", ", checks));
            }
        }
        for (var walk : result.walks().entrySet()) {
            for (var step : walk.getValue().steps()) {
                if (!step.timeline().isEmpty()) {
                    out.println();
                    out.println(walk.getKey() + " step " + step.n() + " (" + step.point() + ") timeline:");
                    step.timeline().forEach(line -> out.println("  " + line));
                }
            }
        }
        out.println();
        int policies = result.walks().size();
        out.println(failed == 0 ? "passed: all " + steps + " steps under " + policies + (policies == 1 ? " policy" : " policies")
                : "FAILED: " + failed + " of " + steps + " steps");
    }

    /** A sweep's operation ({@code bind} when not given), chipset, policies (all), budget and report format. */
    private record SweepCommand(Sweep.Operation operation, Chipset chipset, List<Policy> policies,
                                ScenarioBudget budget, Optional<ReportFormat> format) {

        static SweepCommand parse(List<String> args) {
            var operation = Sweep.Operation.BIND;
            var chipset = Chipset.GA102;
            List<Policy> policies = Arrays.asList(Policy.values());
            var budget = ScenarioBudget.DEFAULTS;
            Optional<ReportFormat> format = Optional.empty();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (!arg.startsWith("--") || i + 1 >= args.size()) {
                    throw new IllegalArgumentException((arg.startsWith("--") ? arg + " needs a value; " : "unexpected '"
                            + arg + "'; ") + USAGE);
                }
                String value = args.get(++i);
                switch (arg) {
                    case "--operation" -> operation = Arrays.stream(Sweep.Operation.values())
                            .filter(o -> WireWord.of(o).equalsIgnoreCase(value)).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException("'" + value
                                    + "' is not an operation a sweep walks; it walks bind or load"));
                    case "--chipset" -> chipset = Chipset.named(value);
                    case "--policies" -> policies = ScenarioCli.policies(value);
                    case "--budget" -> budget = Command.budget(budget, value);
                    case "--format" -> format = Optional.of(ReportFormat.named(value));
                    default -> throw new IllegalArgumentException("unknown option " + arg + "; " + USAGE);
                }
            }
            return new SweepCommand(operation, chipset, policies, budget, format);
        }
    }

    /**
     * One scenario (a built-in's name or a file), the policies to run it under, if any, its budget, and the
     * report format to print its answer in, if not JSON.
     */
    private record Command(String scenario, List<Policy> policies, ScenarioBudget budget,
                           Optional<ReportFormat> format) {

        static Command parse(List<String> args) {
            var positional = new ArrayList<String>();
            List<Policy> policies = List.of();
            var budget = ScenarioBudget.DEFAULTS;
            Optional<ReportFormat> format = Optional.empty();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("--format")) {
                    if (++i >= args.size()) {
                        throw new IllegalArgumentException("--format needs junit or ktap");
                    }
                    format = Optional.of(ReportFormat.named(args.get(i)));
                } else if (arg.equals("--policies")) {
                    if (++i >= args.size()) {
                        throw new IllegalArgumentException("--policies needs a list, e.g. revocable,fenced");
                    }
                    policies = ScenarioCli.policies(args.get(i));
                } else if (arg.equals("--budget")) {
                    if (++i >= args.size()) {
                        throw new IllegalArgumentException("--budget needs KIND=VALUE, e.g. events=1000; kinds are "
                                + budgets());
                    }
                    budget = budget(budget, args.get(i));
                } else if (arg.startsWith("--")) {
                    throw new IllegalArgumentException("unknown option " + arg + "; " + USAGE);
                } else {
                    positional.add(arg);
                }
            }
            if (positional.size() != 1) {
                throw new IllegalArgumentException(USAGE);
            }
            return new Command(positional.getFirst(), policies, budget, format);
        }

        /** {@code KIND=VALUE}: the budget with that one limit changed. */
        private static ScenarioBudget budget(ScenarioBudget budget, String setting) {
            int eq = setting.indexOf('=');
            String name = eq < 0 ? setting : setting.substring(0, eq);
            var kind = Arrays.stream(ScenarioBudget.Kind.values()).filter(k -> k.wireName().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not a budget; budgets are "
                            + budgets()));
            long value;
            try {
                value = Long.parseLong(setting.substring(eq + 1));
            } catch (NumberFormatException | IndexOutOfBoundsException notANumber) {
                throw new IllegalArgumentException("--budget " + setting + ": the value is a whole number, e.g. "
                        + kind.wireName() + "=" + budget.limit(kind));
            }
            int count = (int) Math.clamp(value, Integer.MIN_VALUE, Integer.MAX_VALUE); // out of range: refused below
            return switch (kind) {
                case STEPS -> new ScenarioBudget(count, budget.maxEvents(), budget.maxWallTime(), budget.maxResultBytes());
                case EVENTS -> new ScenarioBudget(budget.maxSteps(), count, budget.maxWallTime(), budget.maxResultBytes());
                case WALL_TIME -> new ScenarioBudget(budget.maxSteps(), budget.maxEvents(), Duration.ofMillis(value),
                        budget.maxResultBytes());
                case RESULT_BYTES -> new ScenarioBudget(budget.maxSteps(), budget.maxEvents(), budget.maxWallTime(),
                        value);
            };
        }
    }

    /**
     * The value of {@code --policies}, for this command and {@code explore}: the policies' words, comma-separated,
     * in any case, as the API takes them.
     */
    public static List<Policy> policies(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).map(word -> Arrays.stream(Policy.values())
                .filter(p -> WireWord.of(p).equalsIgnoreCase(word)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + word + "' is not a policy; policies are "
                        + Arrays.stream(Policy.values()).map(WireWord::of).toList()))).distinct().toList();
    }

    private static Scenario load(String fileOrName) throws IOException {
        return Scenario.parse(source(fileOrName));
    }

    /**
     * The JSON of a built-in scenario by name, or of a scenario file (a regular file of at most
     * {@link #MAX_FILE_BYTES}); {@link IllegalArgumentException} for anything else.
     */
    public static String source(String fileOrName) throws IOException {
        var builtIn = Scenarios.source(fileOrName);
        if (builtIn.isPresent()) {
            return builtIn.get();
        }
        var file = Path.of(fileOrName);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException missing) {
            throw new IllegalArgumentException("'" + fileOrName + "' is neither a built-in scenario nor a file; "
                    + USAGE);
        }
        if (!attributes.isRegularFile()) {
            throw new IllegalArgumentException("'" + fileOrName + "' is " + (attributes.isDirectory() ? "a directory"
                    : "not a regular file (a FIFO, a socket or a device)") + "; give a scenario's JSON file");
        }
        if (attributes.size() > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("'" + fileOrName + "' has " + attributes.size() + " bytes; a scenario"
                    + " file has at most " + MAX_FILE_BYTES);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] json = in.readNBytes((int) MAX_FILE_BYTES + 1); // it may have grown since
            if (json.length > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("'" + fileOrName + "' has more than " + MAX_FILE_BYTES
                        + " bytes; a scenario file has at most that");
            }
            return new String(json, StandardCharsets.UTF_8);
        }
    }

    private static String budgets() {
        return Arrays.stream(ScenarioBudget.Kind.values())
                .map(k -> k.wireName() + " (default " + ScenarioBudget.DEFAULTS.limit(k) + unit(k) + ")").toList().toString();
    }

    private static String unit(ScenarioBudget.Kind kind) {
        return switch (kind) {
            case STEPS -> " steps";
            case EVENTS -> " events";
            case WALL_TIME -> " ms";
            case RESULT_BYTES -> " bytes";
        };
    }

    private static String exitCodes() {
        return Arrays.stream(Exit.values()).map(e -> e.code + " " + e.meaning).toList().toString();
    }
}
