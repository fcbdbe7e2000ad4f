package dev.novahost.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A tiny KTAP version 1 reader for tests: it reads the text back into a tree of results and fails on any
 * line a KTAP parser would not take as we write it: a block opens with its version line at its own
 * indentation (two spaces deeper than its parent's), then an optional {@code # Subtest:} line and its plan;
 * every line after that is a diagnostic, a nested block, or a result line numbered 1, 2, ... up to the
 * plan; a nested block is followed by its parent's result line.
 */
public final class KtapChecker {

    /** A result line read back, with the results of its nested block, if it had one. */
    public record Result(boolean ok, int number, String name, String skip, List<Result> subtests) {
    }

    private static final Pattern PLAN = Pattern.compile("1\\.\\.(\\d+)");
    private static final Pattern RESULT = Pattern.compile("(ok|not ok) (\\d+) ([^#]+?)(?: # SKIP(?: (.*))?)?");

    private final List<String> lines;
    private int next;

    private KtapChecker(String text) {
        assertThat(text).as("KTAP text ends with a line break").endsWith("\n");
        this.lines = List.of(text.split("\n", -1)).subList(0, text.split("\n", -1).length - 1);
    }

    /** The top-level results; fails unless every line is read. */
    public static List<Result> read(String text) {
        var checker = new KtapChecker(text);
        var results = checker.block("");
        assertThat(checker.next).as("every line is part of the top-level block").isEqualTo(checker.lines.size());
        return results;
    }

    private List<Result> block(String indent) {
        assertThat(lines.get(next)).as("line %d opens a block", next + 1).isEqualTo(indent + "KTAP version 1");
        next++;
        if (lines.get(next).startsWith(indent + "# Subtest: ")) {
            next++;
        }
        var plan = PLAN.matcher(lines.get(next).substring(Math.min(indent.length(), lines.get(next).length())));
        assertThat(lines.get(next).startsWith(indent) && plan.matches()).as("line %d is the plan: %s", next + 1,
                lines.get(next)).isTrue();
        int planned = Integer.parseInt(plan.group(1));
        next++;
        var results = new ArrayList<Result>();
        List<Result> nested = List.of();
        while (next < lines.size()) {
            String line = lines.get(next);
            if (line.equals(indent + "  KTAP version 1")) {
                assertThat(nested).as("line %d: a nested block follows a result, not another block", next + 1).isEmpty();
                nested = block(indent + "  ");
                continue;
            }
            assertThat(line.length()).as("line %d is not empty", next + 1).isGreaterThan(indent.length());
            if (!line.startsWith(indent) || line.charAt(indent.length()) == ' ') {
                break; // the parent's line
            }
            String own = line.substring(indent.length());
            if (own.startsWith("#")) {
                next++;
                continue;
            }
            var result = RESULT.matcher(own);
            assertThat(result.matches()).as("line %d is a result line: %s", next + 1, line).isTrue();
            assertThat(Integer.parseInt(result.group(2))).as("line %d's number", next + 1).isEqualTo(results.size() + 1);
            results.add(new Result(result.group(1).equals("ok"), results.size() + 1, result.group(3), result.group(4),
                    nested));
            nested = List.of();
            next++;
        }
        assertThat(nested).as("a nested block ending at line %d has its parent's result line", next).isEmpty();
        assertThat(results).as("results of the block planned 1..%d", planned).hasSize(planned);
        return results;
    }
}
