package dev.novahost.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The console on a service with viewer and operator tokens: it asks for a token, hides every action
 * from a viewer (who still sees the tables and the live log) and shows them to an operator.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"nova.viewer-token=console-viewer", "nova.operator-token=console-operator"})
class ConsoleTokenTest extends InBrowser {

    private static final String GA102 = "0000:01:00.0";
    @Test
    void aViewerSeesEverythingButNoActionsAndAnOperatorSeesThem() throws Exception {
        var operator = ConsoleApi.at(port, "console-operator");
        operator.post("/api/v1/host/reset", null, 200);
        operator.post("/api/v1/devices", "{\"chipset\":\"GA102\"}", 201);

        // no token yet: every call is a 401, and the console asks for one
        browser.driver.get("http://127.0.0.1:" + port + "/");
        browser.until("the token dialog", d -> d.findElement(By.id("token-dialog")).isDisplayed());
        browser.driver.findElement(By.id("token-dialog-input")).sendKeys("console-viewer");
        browser.click(By.id("token-dialog-use"));

        browser.waitText(By.id("role"), "viewer");
        browser.until("the device's row", d -> d.findElement(By.cssSelector("#devices tr[data-address='" + GA102 + "']")).isDisplayed());
        browser.waitText(By.id("live"), "live");
        assertThat(browser.displayed(By.id("create-device"))).isFalse();
        assertThat(browser.displayed(By.cssSelector("button[data-action='bind']"))).isFalse();
        assertThat(browser.displayed(By.cssSelector("button[data-action='delete']"))).isFalse();
        assertThat(browser.displayed(By.cssSelector("button[data-action='load']"))).isFalse();
        assertThat(browser.driver.findElement(By.id("fault-forgetTimerCancel")).isEnabled()).isFalse();
        assertThat(browser.driver.findElements(By.cssSelector("select#policy-nova-core"))).isEmpty();

        // the live log reaches a viewer too (the token travels as ?access_token= on the EventSource URL)
        operator.put("/api/v1/drivers/nova-core/policy", "{\"policy\":\"fenced\"}");
        browser.until("the policy line in the live log",
                d -> d.findElement(By.cssSelector("#log li[data-type='driver.policy']")).isDisplayed());
        browser.waitText(By.id("policy-nova-core"), "fenced");
        browser.screenshot(Path.of("target", "console-viewer.png"));

        // the operator token shows the actions
        var field = browser.driver.findElement(By.id("token"));
        field.clear();
        field.sendKeys("console-operator");
        browser.click(By.cssSelector("#token-form button[type='submit']"));
        browser.waitText(By.id("role"), "operator");
        browser.until("the create button", d -> d.findElement(By.id("create-device")).isDisplayed());
        browser.until("the bind button",
                d -> d.findElement(By.cssSelector("button[data-action='bind'][data-address='" + GA102 + "']")).isDisplayed());
        assertThat(browser.displayed(By.cssSelector("button[data-action='load']"))).isTrue();
        assertThat(browser.driver.findElement(By.id("fault-forgetTimerCancel")).isEnabled()).isTrue();
        browser.until("the policy select", d -> d.findElement(By.cssSelector("select#policy-nova-core")).isDisplayed());

        operator.post("/api/v1/host/reset", null, 200);
        assertThat(browser.scriptErrors()).as("errors in the browser's console").isEmpty();
    }
}
