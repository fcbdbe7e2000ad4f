package dev.novahost.baseline;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The floor of nova-host's stack: what P5 and P7 divide by (docs/BENCHMARKS.md). */
@SpringBootApplication
@RestController
public class BaselineApplication {

    private static final Map<String, Object> ANSWER = Map.of("name", "baseline", "value", 42);

    public static void main(String[] args) {
        SpringApplication.run(BaselineApplication.class, args);
    }

    @GetMapping("/api/v1/value")
    Map<String, Object> value() {
        return ANSWER;
    }
}
