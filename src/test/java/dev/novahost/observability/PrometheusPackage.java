package dev.novahost.observability;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The binaries of Debian's {@code prometheus} package, which {@code .ci/run} installs. On CI a missing
 * binary fails the test that needs it; on a developer's machine that test is skipped, with the reason.
 */
final class PrometheusPackage {

    private PrometheusPackage() {
    }

    static Path prometheus() {
        return require("prometheus");
    }

    static Path promtool() {
        return require("promtool");
    }

    private static Path require(String name) {
        var binary = Path.of("/usr/bin", name);
        if (Files.isExecutable(binary)) {
            return binary;
        }
        var why = binary + " is missing: install Debian's prometheus package (apt-get install prometheus), as .ci/run does";
        if ("true".equals(System.getenv("CI"))) {
            return fail(why);
        }
        return Assumptions.abort(why);
    }
}
