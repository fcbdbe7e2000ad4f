package dev.novahost.report;

import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A {@link TestReport} as JUnit XML, the dialect Jenkins, Maven Surefire and GitLab read:
 * {@code <testsuites>} of {@code <testsuite>} (with {@code <properties>}) of {@code <testcase>}, each with a
 * {@code <failure message="...">} whose text is the details, or a {@code <skipped message="..."/>}, and its
 * output in {@code <system-out>}. Every level counts {@code tests}, {@code failures} and {@code errors}
 * (always 0: a scenario's failures are all failed expectations), a suite also {@code skipped} (Jenkins'
 * schema has it there only); {@code time} is written only
 * when the cases were given one, and no timestamp or host name ever, so the same report is the same bytes.
 * A case's subtests, which JUnit cannot nest, are listed in its {@code <system-out>}, one line each.
 *
 * <p>The JDK's {@link XMLStreamWriter} escapes {@code <}, {@code &} and {@code "}. What it cannot do is
 * write a character XML 1.0 forbids (the C0 controls but tab, line feed and carriage return; unpaired
 * surrogates; U+FFFE and U+FFFF): no parser would read the file, and not even a character reference
 * may carry one. Those are spelled {@code \}{@code uXXXX} before they reach the writer. An attribute's line
 * breaks and tabs become spaces, as every parser would read them anyway.
 */
public final class JunitXml {

    private static final String INDENT = "  ";

    private JunitXml() {
    }

    public static String write(TestReport report) {
        var text = new StringWriter();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(text);
            new Writing(xml).report(report);
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing XML to a string cannot fail", e);
        }
        return text.toString();
    }

    /** One report being written, element by element, indented by hand (StAX does not indent). */
    private record Writing(XMLStreamWriter xml) {

        void report(TestReport report) throws XMLStreamException {
            xml.writeStartDocument("UTF-8", "1.0");
            open(0, "testsuites");
            attribute("name", report.name());
            counts(report.tests(), report.count(TestCase.Failed.class), Optional.empty(),
                    total(report.suites().stream().flatMap(s -> s.cases().stream()).toList()));
            for (TestSuite suite : report.suites()) {
                suite(suite);
            }
            close(0);
            xml.writeCharacters("\n");
            xml.writeEndDocument();
        }

        private void suite(TestSuite suite) throws XMLStreamException {
            open(1, "testsuite");
            attribute("name", suite.name());
            counts(suite.cases().size(), suite.count(TestCase.Failed.class),
                    Optional.of(suite.count(TestCase.Skipped.class)), total(suite.cases()));
            if (!suite.properties().isEmpty()) {
                open(2, "properties");
                for (var property : suite.properties()) {
                    newline(3);
                    xml.writeEmptyElement("property");
                    attribute("name", property.name());
                    attribute("value", property.value());
                }
                close(2);
            }
            for (TestCase testCase : suite.cases()) {
                testCase(suite, testCase);
            }
            close(1);
        }

        private void testCase(TestSuite suite, TestCase testCase) throws XMLStreamException {
            var output = output(testCase);
            boolean empty = testCase.status() instanceof TestCase.Passed && output.isEmpty();
            newline(2);
            if (empty) {
                xml.writeEmptyElement("testcase");
            } else {
                xml.writeStartElement("testcase");
            }
            attribute("name", testCase.name());
            attribute("classname", suite.name());
            testCase.time().ifPresent(time -> attribute("time", seconds(time)));
            if (empty) {
                return;
            }
            switch (testCase.status()) {
                case TestCase.Passed _ -> { }
                case TestCase.Failed failed -> {
                    newline(3);
                    xml.writeStartElement("failure");
                    attribute("message", failed.message());
                    xml.writeCharacters(legal(String.join("\n", failed.details())));
                    xml.writeEndElement();
                }
                case TestCase.Skipped skipped -> {
                    newline(3);
                    xml.writeEmptyElement("skipped");
                    attribute("message", skipped.reason());
                }
            }
            if (!output.isEmpty()) {
                newline(3);
                xml.writeStartElement("system-out");
                xml.writeCharacters(legal(String.join("\n", output)));
                xml.writeEndElement();
            }
            close(2);
        }

        /** Jenkins' schema (xunit's junit-10.xsd) has {@code skipped} on a testsuite only, not on testsuites. */
        private void counts(long tests, long failures, Optional<Long> skipped, Optional<Duration> time)
                throws XMLStreamException {
            attribute("tests", Long.toString(tests));
            attribute("failures", Long.toString(failures));
            attribute("errors", "0");
            if (skipped.isPresent()) {
                attribute("skipped", Long.toString(skipped.get()));
            }
            if (time.isPresent()) {
                attribute("time", seconds(time.get()));
            }
        }

        private void attribute(String name, String value) {
            try {
                xml.writeAttribute(name, legal(value).replaceAll("[\t\r\n]", " "));
            } catch (XMLStreamException e) {
                throw new IllegalStateException("writing XML to a string cannot fail", e);
            }
        }

        private void open(int depth, String element) throws XMLStreamException {
            newline(depth);
            xml.writeStartElement(element);
        }

        private void close(int depth) throws XMLStreamException {
            newline(depth);
            xml.writeEndElement();
        }

        private void newline(int depth) throws XMLStreamException {
            xml.writeCharacters("\n" + INDENT.repeat(depth));
        }
    }

    /** The case's own output, then its subtests, one line each, nested ones indented below their parent. */
    private static List<String> output(TestCase testCase) {
        var lines = new ArrayList<>(testCase.output());
        testCase.subtests().forEach(subtest -> subtest(subtest, 0, lines));
        return lines;
    }

    private static void subtest(TestCase subtest, int depth, List<String> lines) {
        String indent = INDENT.repeat(depth);
        lines.add(indent + switch (subtest.status()) {
            case TestCase.Passed _ -> "PASS " + subtest.name();
            case TestCase.Failed failed -> "FAIL " + subtest.name() + ": " + failed.message();
            case TestCase.Skipped skipped -> "SKIP " + subtest.name() + ": " + skipped.reason();
        });
        subtest.output().forEach(line -> lines.add(indent + INDENT + line));
        if (subtest.status() instanceof TestCase.Failed failed) {
            failed.details().forEach(line -> lines.add(indent + INDENT + line));
        }
        subtest.subtests().forEach(nested -> subtest(nested, depth + 1, lines));
    }

    /** The sum of the cases' times, if any case was given one. */
    private static Optional<Duration> total(List<TestCase> cases) {
        return cases.stream().map(TestCase::time).flatMap(Optional::stream).reduce(Duration::plus);
    }

    private static String seconds(Duration time) {
        return String.format(Locale.ROOT, "%.3f", time.toNanos() / 1e9);
    }

    /** {@code text} with every character XML 1.0 cannot carry spelled {@code \}{@code uXXXX}. */
    private static String legal(String text) {
        return Unprintable.spelled(text, JunitXml::isXmlChar);
    }

    /** XML 1.0's {@code Char} production. */
    private static boolean isXmlChar(int c) {
        return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }
}
