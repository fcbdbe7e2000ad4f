package dev.novahost;

import dev.novahost.explore.ExploreCli;
import dev.novahost.scenario.ScenarioCli;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class NovaHostApplication {

    private static final String AOT_MODE = "spring.aot.enabled";

    /**
     * Starts the service, or, with {@code scenario FILE|NAME}, runs one scenario and exits, or, with
     * {@code explore FILE|NAME}, explores its teardown's schedules and exits.
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("scenario")) {
            System.exit(ScenarioCli.run(Arrays.asList(args).subList(1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("explore")) {
            System.exit(ExploreCli.run(Arrays.asList(args).subList(1, args.length), System.out, System.err));
        }
        // Spring's AOT mode unless told otherwise (-Dspring.aot.enabled=false): the bean definitions the
        // build generated instead of condition evaluation and reflection: about 0.5 s of a 3.7 s start (P7).
        // Not while the build's AOT engine runs this very method to generate them.
        if (System.getProperty(AOT_MODE) == null && !Boolean.getBoolean("spring.aot.processing")
                && NovaHostApplication.class.getResource("NovaHostApplication__ApplicationContextInitializer.class") != null) {
            System.setProperty(AOT_MODE, "true");
        }
        SpringApplication.run(NovaHostApplication.class, args);
    }
}
