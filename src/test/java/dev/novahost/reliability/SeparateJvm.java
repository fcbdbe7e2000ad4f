package dev.novahost.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs a static check method of a test class in a JVM of its own, and fails the calling test with that
 * JVM's output if the check failed or outlived its bound.
 *
 * <p>Lincheck installs a Java agent that retransforms every class the JVM has loaded, at the start and
 * end of every check, and leaves its instrumentation behind. In the suite's shared JVM, after the
 * Spring contexts of other tests have loaded their thousands of classes, that turned a two-second
 * check into minutes and slowed the tests after it; in a fresh JVM it sees only the kernel classes.
 */
final class SeparateJvm {

    private static final Duration BOUND = Duration.ofMinutes(3);

    private SeparateJvm() {
    }

    /** Runs {@code owner.method()} (static, no arguments) in a new JVM on the test class path. */
    static void run(Class<?> owner, String method) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        var output = Files.createTempFile("separate-jvm-", ".log");
        try {
            var process = new ProcessBuilder(java, "-XX:+EnableDynamicAgentLoading", "-Xshare:auto", "-cp", classPath,
                    SeparateJvm.class.getName(), owner.getName(), method)
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
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
        System.out.printf("%s.%s passed in %.1f s%n", args[0], args[1], (System.nanoTime() - start) / 1e9);
        System.exit(0);
    }
}
