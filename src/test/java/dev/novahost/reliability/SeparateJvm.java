package dev.novahost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a static check method of a test class in a JVM of its own, and fails the calling test with that
 * JVM's output if the check failed or outlived its bound.
 *
 * <p>Lincheck installs a Java agent that retransforms every class the JVM has loaded, at the start and
 * end of every check, and leaves its instrumentation behind. In the suite's shared JVM, after the
 * Spring contexts of other tests have loaded their thousands of classes, that turned a two-second
 * check into minutes and slowed the tests after it; in a fresh JVM it sees only the kernel classes.
 * The {@code nova.lincheck.*} system properties (the long form's, see {@link LinearizabilityCheck}) are
 * handed on to that JVM.
 */
final class SeparateJvm {

    /** A check still running after this is taken as hung; a long form may need {@code -Dnova.lincheck.minutes}. */
    private static final Duration BOUND = Duration.ofMinutes(Long.getLong("nova.lincheck.minutes", 3));

    private SeparateJvm() {
    }

    /** Runs {@code owner.method()} (static, no arguments) in a new JVM on the test class path. */
    static void run(Class<?> owner, String method) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        var output = Files.createTempFile("separate-jvm-", ".log");
        try {
            var command = new ArrayList<>(List.of(java, "-XX:+EnableDynamicAgentLoading", "-Xshare:auto"));
            lincheckProperties().stream().map(property -> "-D" + property).forEach(command::add);
            command.addAll(List.of("-cp", classPath, SeparateJvm.class.getName(), owner.getName(), method));
            var process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean finished = process.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            String said = Files.readString(output);
            assertThat(finished).as("%s.%s finished within %s; its output:%n%s", owner.getSimpleName(), method, BOUND,
                    said).isTrue();
            assertThat(process.exitValue()).as("%s.%s in its own JVM; its output:%n%s", owner.getSimpleName(), method,
                    said).isZero();
            System.out.print(said);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** The other JVM's entry point: {@code <class> <static method>}; exit status 0 when it returned. */
    public static void main(String[] args) throws Exception {
        var method = Class.forName(args[0]).getDeclaredMethod(args[1]);
        method.setAccessible(true);
        long start = System.nanoTime();
        try {
            method.invoke(null);
        } catch (InvocationTargetException failed) {
            failed.getCause().printStackTrace(System.out);
            System.exit(1);
        }
        var properties = lincheckProperties();
        System.out.printf("%s.%s passed in %.1f s%s%n", args[0], args[1], (System.nanoTime() - start) / 1e9,
                properties.isEmpty() ? "" : " with " + String.join(" ", properties));
        System.exit(0);
    }

    /** The {@code nova.lincheck.*} system properties set, as {@code name=value}. */
    private static List<String> lincheckProperties() {
        return System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith("nova.lincheck."))
                .sorted().map(name -> name + "=" + System.getProperty(name)).toList();
    }
}
