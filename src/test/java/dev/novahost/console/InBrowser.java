package dev.novahost.console;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A console test class that drives the running service's console in a real browser: one browser for the
 * whole class, started before its first test and closed after its last ({@link ConsoleBrowser} says what
 * happens on a machine without one). The browser is static because JUnit starts it in a static
 * {@code @BeforeAll}; the suite runs test classes one after another, so it is the running class's.
 */
abstract class InBrowser {

    static ConsoleBrowser browser;

    @LocalServerPort
    int port;

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = ConsoleBrowser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }
}
