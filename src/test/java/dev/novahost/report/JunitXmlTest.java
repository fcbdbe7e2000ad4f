package dev.novahost.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * JUnit XML as Jenkins, Surefire and GitLab read it: the golden text of a passing and a failing run, parsed
 * back by the JDK's DOM parser with every level's counts agreeing with its elements, messages with
 * {@code <&"} and control characters surviving the trip, and the same report written twice as the same bytes.
 */
class JunitXmlTest {

    @Test
    void aPassingRunIsOneTestcaseWithItsExpectationsInSystemOut() {
        assertThat(JunitXml.write(Reports.passing())).isEqualTo("""
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuites name="timer-fires-after-unbind" tests="1" failures="0" errors="0">
                  <testsuite name="timer-fires-after-unbind" tests="1" failures="0" errors="0" skipped="0">
                    <properties>
                      <property name="seed" value="1"/>
                    </properties>
                    <testcase name="revocable" classname="timer-fires-after-unbind">
                      <system-out>digest: 34df
                violations: none
                PASS step 5 expect
                PASS step 8 read-mmio</system-out>
                    </testcase>
                  </testsuite>
                </testsuites>
                """);
    }

    @Test
    void aFailingRunHasAFailureWithTheVerdictAsMessageAndTheTimelineAsText() {
        assertThat(JunitXml.write(Reports.failing())).isEqualTo("""
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuites name="fails" tests="2" failures="1" errors="0">
                  <testsuite name="fails" tests="2" failures="1" errors="0" skipped="1">
                    <properties>
                      <property name="seed" value="3"/>
                    </properties>
                    <testcase name="fenced #1" classname="fails">
                      <failure message="step 6 read-mmio: expected &lt;&amp;&quot;0x1\\u0001&quot;&gt;, got #2">\
                timer_free_active/occurred timer 1: freed armed
                  [9] timer 1: armed &lt;&amp;&gt;
                  [11] remove() started</failure>
                      <system-out>digest: 89d6
                FAIL step 6 read-mmio: expected &lt;&amp;"0x1\\u0001"&gt;, got #2
                SKIP step 7 expect: not checked under fenced</system-out>
                    </testcase>
                    <testcase name="revocable" classname="fails">
                      <skipped message="no GPU of that chipset"/>
                    </testcase>
                  </testsuite>
                </testsuites>
                """);
    }

    @Test
    void theDomParserReadsItAndTheCountsAgreeWithTheElements() throws Exception {
        for (TestReport report : List.of(Reports.passing(), Reports.failing())) {
            var xml = JunitXmlReader.parsedWithCountsAgreeing(JunitXml.write(report)).getDocumentElement();

            assertThat(xml.getElementsByTagName("testsuite").getLength()).isEqualTo(report.suites().size());
            assertThat(xml.getAttribute("tests")).isEqualTo(Long.toString(report.tests()));
            assertThat(xml.getAttribute("failures")).isEqualTo(Long.toString(report.count(TestCase.Failed.class)));
        }
    }

    @Test
    void messagesWithMarkupAndControlCharactersSurviveTheParser() throws Exception {
        var xml = JunitXmlReader.parse(JunitXml.write(Reports.failing()));

        var failure = (Element) xml.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo("step 6 read-mmio: expected <&\"0x1\\u0001\">, got #2");
        assertThat(failure.getTextContent()).contains("  [9] timer 1: armed <&>\n");
        var testcase = (Element) xml.getElementsByTagName("testcase").item(0);
        assertThat(testcase.getAttribute("name")).isEqualTo("fenced #1");
        assertThat(((Element) xml.getElementsByTagName("skipped").item(0)).getAttribute("message"))
                .as("a line break in an attribute is a space, as every parser reads it").isEqualTo("no GPU of that chipset");
    }

    @Test
    void everyCharacterXmlForbidsIsSpelledAndTheRestKept() throws Exception {
        String nasty = "nul\u0000 bell\u0007 esc\u001b fffe\ufffe lone\ud800 tab\t é 😀 ]]>";
        var report = new TestReport(nasty, List.of(new TestSuite("s", List.of(),
                List.of(new TestCase("c", new TestCase.Failed(nasty, List.of(nasty)), List.of(nasty))))));

        var xml = JunitXmlReader.parse(JunitXml.write(report));

        String spelled = "nul\\u0000 bell\\u0007 esc\\u001b fffe\\ufffe lone\\ud800 tab\t é 😀 ]]>";
        assertThat(xml.getElementsByTagName("failure").item(0).getTextContent()).isEqualTo(spelled);
        assertThat(xml.getElementsByTagName("system-out").item(0).getTextContent()).isEqualTo(spelled);
        assertThat(xml.getDocumentElement().getAttribute("name")).isEqualTo(spelled.replace('\t', ' '));
    }

    @Test
    void aTimeIsWrittenOnlyWhenGivenAndSummedUpwards() throws Exception {
        var timed = new TestCase("a", TestCase.PASSED, List.of(), List.of(), Optional.of(Duration.ofMillis(1500)));
        var other = new TestCase("b", TestCase.PASSED, List.of(), List.of(), Optional.of(Duration.ofMillis(250)));
        var xml = JunitXmlReader.parse(JunitXml.write(new TestReport("r", List.of(new TestSuite("s", List.of(), List.of(timed, other))))));

        assertThat(xml.getDocumentElement().getAttribute("time")).isEqualTo("1.750");
        assertThat(((Element) xml.getElementsByTagName("testcase").item(0)).getAttribute("time")).isEqualTo("1.500");
        assertThat(JunitXml.write(Reports.failing())).doesNotContain("time=").doesNotContain("timestamp")
                .doesNotContain("hostname");
    }

    @Test
    void theSameReportIsTheSameBytes() {
        assertThat(JunitXml.write(Reports.failing())).isEqualTo(JunitXml.write(Reports.failing()));
    }
}
