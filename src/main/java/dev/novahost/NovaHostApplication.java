package dev.novahost;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class NovaHostApplication {

    public static void main(String[] args) {
        SpringApplication.run(NovaHostApplication.class, args);
    }
}
