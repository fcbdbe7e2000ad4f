package dev.novahost.report;

/**
 * A {@link TestReport} as KTAP version 1, the kernel's test output ({@code Documentation/dev-tools/ktap.rst}),
 * as KUnit prints it: the report is one test whose subtests are its suites, and a suite's subtests are its
 * cases, each nesting its own subtests. A test with subtests opens with {@code KTAP version 1}, a
 * {@code # Subtest: NAME} line (KUnit's header, a diagnostic line to any other reader) and its plan
 * {@code 1..N}; then each subtest's block, its diagnostic lines ({@code # ...}: its output, a failure's
 * message and details) and its result line, {@code ok N NAME}, {@code not ok N NAME} or
 * {@code ok N NAME # SKIP REASON}. Each level of nesting is indented by two spaces.
 *
 * <p>A suite's result is {@link TestSuite#status}, KTAP's rule for a parent; a case says for itself
 * ({@link TestCase}'s invariant). The suite's properties are diagnostic lines
 * after its plan, {@code # name: value}. A name cannot hold {@code #} or a line break: those, and every
 * other control character, are spelled {@code \}{@code uXXXX}; in a diagnostic line only the control
 * characters are, and a line break starts a new {@code #} line; one that begins {@code Subtest:} gets a second
 * space, so that no parser takes it for a test's header.
 */
public final class Ktap {

    private static final String VERSION = "KTAP version 1";
    private static final String INDENT = "  ";
    private static final String SUBTEST = "Subtest:";

    private Ktap() {
    }

    public static String write(TestReport report) {
        var text = new StringBuilder();
        text.append(VERSION).append('\n');
        text.append("1..").append(report.suites().size()).append('\n');
        diagnostic(text, "", report.name());
        int number = 0;
        for (TestSuite suite : report.suites()) {
            suite(text, suite, ++number);
        }
        return text.toString();
    }

    private static void suite(StringBuilder text, TestSuite suite, int number) {
        String inner = INDENT;
        header(text, inner, suite.name(), suite.cases().size());
        suite.properties().forEach(p -> diagnostic(text, inner, p.name() + ": " + p.value()));
        int n = 0;
        for (TestCase testCase : suite.cases()) {
            testCase(text, inner, testCase, ++n);
        }
        why(text, "", suite.status());
        result(text, "", suite.status(), number, suite.name());
    }

    private static void testCase(StringBuilder text, String indent, TestCase testCase, int number) {
        if (!testCase.subtests().isEmpty()) {
            String inner = indent + INDENT;
            header(text, inner, testCase.name(), testCase.subtests().size());
            int n = 0;
            for (TestCase subtest : testCase.subtests()) {
                testCase(text, inner, subtest, ++n);
            }
        }
        testCase.output().forEach(line -> diagnostic(text, indent, line));
        why(text, indent, testCase.status());
        result(text, indent, testCase.status(), number, testCase.name());
    }

    /** A failure's message and details, as diagnostic lines just before its result line. */
    private static void why(StringBuilder text, String indent, TestCase.Status status) {
        if (status instanceof TestCase.Failed failed) {
            diagnostic(text, indent, failed.message());
            failed.details().forEach(line -> diagnostic(text, indent, line));
        }
    }

    private static void header(StringBuilder text, String indent, String name, int tests) {
        text.append(indent).append(VERSION).append('\n');
        text.append(indent).append("# ").append(SUBTEST).append(' ').append(name(name)).append('\n');
        text.append(indent).append("1..").append(tests).append('\n');
    }

    private static void result(StringBuilder text, String indent, TestCase.Status status, int number, String name) {
        text.append(indent).append(status instanceof TestCase.Failed ? "not ok " : "ok ").append(number)
                .append(' ').append(name(name));
        if (status instanceof TestCase.Skipped skipped) {
            text.append(" # SKIP ").append(oneLine(skipped.reason()));
        }
        text.append('\n');
    }

    /** One {@code # ...} line per line of {@code message}; nothing for an empty one. */
    private static void diagnostic(StringBuilder text, String indent, String message) {
        if (message.isEmpty()) {
            return;
        }
        for (String line : message.split("\r\n|\r|\n", -1)) {
            text.append(indent).append('#');
            if (line.startsWith(SUBTEST)) {
                text.append(' '); // "#  Subtest:" is a diagnostic; "# Subtest:" would open a test for KUnit's parser
            }
            if (!line.isEmpty()) {
                text.append(' ').append(Unprintable.spelled(line, c -> c == '\t' || !Character.isISOControl(c)));
            }
            text.append('\n');
        }
    }

    /** A test's name as a result line may hold it: no {@code #}, no line break, no control character. */
    private static String name(String name) {
        return Unprintable.spelled(name, c -> c != '#' && !Character.isISOControl(c));
    }

    private static String oneLine(String text) {
        return Unprintable.spelled(text, c -> !Character.isISOControl(c));
    }
}
