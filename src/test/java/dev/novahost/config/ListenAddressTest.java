package dev.novahost.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.novahost.NovaHostApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * Without a token nova-host serves loopback only (issue 13, item 2): told to listen anywhere else (every
 * interface, a LAN address, a name that does not resolve to loopback only), it refuses to start with a
 * one-line reason, unless {@code nova.auth=none} switches authentication off on purpose. No test here
 * listens beyond loopback: the refusal comes before the server binds.
 */
class ListenAddressTest {

    @TempDir
    Path data;

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "192.0.2.1", "no-such-host.invalid"})
    void aBindBeyondLoopbackWithoutATokenRefusesToStart(String address) {
        assertThatThrownBy(() -> start("--server.address=" + address))
                .hasRootCauseInstanceOf(StartRefused.class)
                .rootCause().hasMessageContaining("refuses to listen on " + address).hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.2"})
    void loopbackAddressesStart(String address) {
        try (var context = start("--server.address=" + address)) {
            assertThat(context.isRunning()).isTrue();
        }
    }

    /** Through the real main method, in a JVM of its own, with the address in the environment. */
    @Test
    void theProcessSaysWhyInOneLineAndExits1() throws Exception {
        var run = main("SERVER_ADDRESS", "0.0.0.0");
        assertThat(run.status()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("nova-host refuses to listen on 0.0.0.0 (server.address) without a token")
                .contains("NOVA_AUTH=none").doesNotContain("\tat ");
    }

    /**
     * With {@code nova.auth=none} (or a token: the same condition) the same start goes on; it stops at the
     * end of the context's refresh ({@code spring.context.exit=onRefresh}, as the image's training run),
     * before the server binds, so that nothing listens beyond loopback. Spring Security prints no
     * generated password.
     */
    @Test
    void authNoneLetsItStart() throws Exception {
        var authNone = main("NOVA_AUTH", "none");
        assertThat(authNone.status()).as(authNone.output()).isZero();
        assertThat(authNone.output()).contains("nova.auth=none: serving every address")
                .doesNotContainIgnoringCase("generated security password");
    }

    record Run(int status, String output) {
    }

    /** NovaHostApplication.main with SERVER_ADDRESS=0.0.0.0 (unless {@code name} says otherwise) and one more variable. */
    private Run main(String name, String value) throws Exception {
        var output = Files.createTempFile(data, "main-", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        if (!name.equals("SERVER_ADDRESS")) {
            command.add("-Dspring.context.exit=onRefresh");
        }
        command.addAll(List.of(NovaHostApplication.class.getName(), "--server.port=0",
                "--nova.data-dir=" + data.resolve("journal-" + name)));
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        for (String inherited : List.of("NOVA_VIEWER_TOKEN", "NOVA_OPERATOR_TOKEN", "NOVA_AUTH", "NOVA_REQUIRE_TOKEN")) {
            builder.environment().remove(inherited);
        }
        builder.environment().put("SERVER_ADDRESS", "0.0.0.0");
        builder.environment().put(name, value);
        var process = builder.start();
        try {
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the start ends: %s", Files.readString(output)).isTrue();
            return new Run(process.exitValue(), Files.readString(output));
        } finally {
            process.destroyForcibly();
        }
    }

    private org.springframework.context.ConfigurableApplicationContext start(String... args) {
        var all = new ArrayList<>(List.of(args));
        all.add("--server.port=0");
        all.add("--nova.data-dir=" + data);
        return new SpringApplicationBuilder(NovaHostApplication.class).run(all.toArray(String[]::new));
    }
}
