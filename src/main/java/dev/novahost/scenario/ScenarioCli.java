package dev.novahost.scenario;

import dev.novahost.kernel.driver.Policy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Runs a scenario from the command line, without the server:
 * {@code java -jar nova-host.jar scenario FILE|NAME [--policies revocable,fenced]}. Prints the result
 * (with {@code --policies}, the comparison) as JSON on stdout and exits 0 when every expectation held,
 * 1 when one did not, 2 when the scenario or the command line is bad (the reason goes to stderr).
 */
public final class ScenarioCli {

    private static final String USAGE = "usage: scenario FILE|NAME [--policies revocable,fenced]; built-in: "
            + Scenarios.BUILT_IN;

    private ScenarioCli() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        try {
            var command = Command.parse(args);
            var scenario = load(command.scenario());
            var runner = new ScenarioRunner();
            Object printed;
            boolean passed;
            if (command.policies().isEmpty()) {
                var result = runner.run(scenario, Optional.empty());
                printed = result;
                passed = result.passed();
            } else {
                var comparison = runner.compare(scenario, command.policies());
                printed = comparison;
                passed = comparison.runs().values().stream().allMatch(ScenarioResult::passed);
            }
            out.println(Scenario.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(printed));
            return passed ? 0 : 1;
        } catch (ScenarioException | IllegalArgumentException bad) {
            err.println("scenario: " + bad.getMessage());
            return 2;
        } catch (IOException unreadable) {
            err.println("scenario: cannot read " + unreadable.getMessage());
            return 2;
        }
    }

    /** One scenario (a built-in's name or a file) and the policies to run it under, if any. */
    private record Command(String scenario, List<Policy> policies) {

        static Command parse(List<String> args) {
            var positional = new ArrayList<String>();
            List<Policy> policies = List.of();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("--policies")) {
                    if (++i >= args.size()) {
                        throw new IllegalArgumentException("--policies needs a list, e.g. revocable,fenced");
                    }
                    policies = policies(args.get(i));
                } else if (arg.startsWith("--")) {
                    throw new IllegalArgumentException("unknown option " + arg + "; " + USAGE);
                } else {
                    positional.add(arg);
                }
            }
            if (positional.size() != 1) {
                throw new IllegalArgumentException(USAGE);
            }
            return new Command(positional.getFirst(), policies);
        }

        private static List<Policy> policies(String list) {
            return Arrays.stream(list.split(",")).map(String::trim).map(word -> Arrays.stream(Policy.values())
                    .filter(p -> p.name().equalsIgnoreCase(word)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("'" + word + "' is not a policy; policies are"
                            + " revocable and fenced"))).distinct().toList();
        }
    }

    private static Scenario load(String fileOrName) throws IOException {
        var builtIn = Scenarios.named(fileOrName);
        if (builtIn.isPresent()) {
            return builtIn.get();
        }
        try {
            return Scenario.parse(Files.readString(Path.of(fileOrName)));
        } catch (NoSuchFileException missing) {
            throw new IllegalArgumentException("'" + fileOrName + "' is neither a built-in scenario nor a file; "
                    + USAGE);
        }
    }
}
