package dev.novahost;

import dev.novahost.scenario.ScenarioCli;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class NovaHostApplication {

    /** Starts the service, or, with {@code scenario FILE|NAME}, runs one scenario and exits. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("scenario")) {
            System.exit(ScenarioCli.run(Arrays.asList(args).subList(1, args.length), System.out, System.err));
        }
        SpringApplication.run(NovaHostApplication.class, args);
    }
}
