package dev.novahost.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** JUnit XML read back for tests: the JDK's DOM parser, and the counts of every level checked against its elements. */
public final class JunitXmlReader {

    private JunitXmlReader() {
    }

    /** The document, parsed as a CI system would (no DTD); a malformed one fails. */
    public static Document parse(String xml) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code <testsuites>} and each {@code <testsuite>} count the testcases, failures (and a suite its skips) below them. */
    public static Document parsedWithCountsAgreeing(String xml) throws Exception {
        var document = parse(xml);
        var root = document.getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("testsuites");
        assertCounts(root);
        var suites = root.getElementsByTagName("testsuite");
        for (int i = 0; i < suites.getLength(); i++) {
            assertCounts((Element) suites.item(i));
        }
        return document;
    }

    private static void assertCounts(Element level) {
        String name = level.getTagName() + " " + level.getAttribute("name");
        assertThat(level.getAttribute("tests")).as("tests of %s", name)
                .isEqualTo(Integer.toString(level.getElementsByTagName("testcase").getLength()));
        assertThat(level.getAttribute("failures")).as("failures of %s", name)
                .isEqualTo(Integer.toString(level.getElementsByTagName("failure").getLength()));
        if (level.getTagName().equals("testsuite")) {
            assertThat(level.getAttribute("skipped")).as("skipped of %s", name)
                    .isEqualTo(Integer.toString(level.getElementsByTagName("skipped").getLength()));
        } else {
            assertThat(level.hasAttribute("skipped")).as("Jenkins' schema has no skipped on %s", name).isFalse();
        }
        assertThat(level.getAttribute("errors")).as("errors of %s", name).isEqualTo("0");
    }
}
