package dev.novahost.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.machine.Kernel;
import dev.novahost.kernel.Policy;
import dev.novahost.kernel.sanitizer.Outcome;
import dev.novahost.kernel.sanitizer.Sanitizer;
import dev.novahost.kernel.sanitizer.ViolationKind;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * After a violation storm the console shows a page of the groups and says what it does not show: how
 * many groups it left out and how many reports the full store did not keep (issue 13, item 6).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsoleViolationStoreTest extends InBrowser {

    @Autowired
    Kernel kernel;

    @AfterEach
    void cleanHost() throws Exception {
        ConsoleApi.at(port, null).post("/api/v1/host/reset", null, 200);
        assertThat(browser.scriptErrors()).as("errors in the browser's console").isEmpty();
    }

    @Test
    void aStormShowsAPageAndSaysWhatItLeftOut() throws Exception {
        ConsoleApi.at(port, null).post("/api/v1/host/reset", null, 200);
        int reports = Sanitizer.DEFAULT_CAPACITY + 250;
        for (int i = 1; i <= reports; i++) {
            kernel.sanitizer().report(ViolationKind.TIMER_AFTER_REMOVE, Outcome.OCCURRED, Policy.FENCED,
                    "0000:01:00.0", "timer " + i, 1, "timer " + i + " of 0000:01:00.0 ran after remove() returned", List.of());
        }

        browser.driver.get("http://127.0.0.1:" + port + "/");

        browser.waitContains(By.id("violations-note"), "of " + Sanitizer.DEFAULT_CAPACITY + " groups");
        assertThat(browser.text(By.id("violations-note"))).contains("250 reports not kept");
        assertThat(browser.driver.findElements(By.cssSelector("#violations button.violation"))).hasSize(200);
    }
}
