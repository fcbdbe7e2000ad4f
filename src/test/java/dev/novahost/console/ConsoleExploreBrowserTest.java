package dev.novahost.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console's Explore page in a real (headless) browser, as a viewer (an exploration is a read): it
 * explores timer-fires-after-unbind under every policy of the contract and shows what the API answers
 * for the same request (fetched here beside it): the headline, a bar per policy split into violating,
 * not violating and infeasible schedules, and each distinct outcome; fenced's violating outcome replays
 * its reproducer into a timeline with the violation in it, at the exploration's digest. A scenario that
 * tears nothing down is the API's EINVAL, shown as the console shows every error. Leaves screenshots in
 * {@code target/console-explore.png} and {@code target/console-explore-timeline.png}. The tokens are {@link ConsoleTokenTest}'s, so the two share a context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"nova.viewer-token=console-viewer", "nova.operator-token=console-operator"})
class ConsoleExploreBrowserTest extends InBrowser {

    private static final String SCENARIO = "timer-fires-after-unbind";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    @Test
    void aViewerExploresATeardownAndReplaysAViolatingSchedule() throws Exception {
        var viewer = ConsoleApi.at(port, "console-viewer");
        var answer = JSON.readTree(viewer.post("/api/v1/scenarios/explore", "{\"name\":\"" + SCENARIO + "\"}", 200));
        var policies = StreamSupport.stream(answer.get("policies").spliterator(), false).toList();

        browser.driver.get("http://127.0.0.1:" + port + "/#explore");
        browser.until("the token dialog", d -> d.findElement(By.id("token-dialog")).isDisplayed());
        browser.driver.findElement(By.id("token-dialog-input")).sendKeys("console-viewer");
        browser.click(By.id("token-dialog-use"));
        browser.waitText(By.id("role"), "viewer");

        // every policy of the contract is offered, all on: the same ones the API explores when given none
        browser.until("the policies", d -> !d.findElements(By.cssSelector("#explore-policies input")).isEmpty());
        var offered = browser.driver.findElements(By.cssSelector("#explore-policies input"));
        assertThat(offered).allMatch(WebElement::isSelected);
        assertThat(offered.stream().map(i -> i.getDomProperty("value")).toList())
                .isEqualTo(policies.stream().map(p -> p.get("policy").asString()).toList());
        assertThat(browser.driver.findElement(By.id("explore-bound")).getDomProperty("value")).isEqualTo("2");

        browser.select(By.id("explore-select"), SCENARIO);
        browser.click(By.id("explore-run"));
        browser.waitText(By.id("explore-headline"), answer.get("headline").asString());
        browser.screenshot(Path.of("target", "console-explore.png"));

        // one bar per policy, with the API's numbers in its data and written out beside it
        assertThat(browser.driver.findElement(By.id("explore-chart")).getDomAttribute("role")).isEqualTo("img");
        assertThat(browser.driver.findElements(By.cssSelector("#explore-chart g.bar"))).hasSize(policies.size());
        for (var p : policies) {
            var bar = browser.driver.findElement(By.cssSelector("#explore-chart g.bar[data-policy='" + p.get("policy").asString() + "']"));
            int explored = p.get("explored").asInt(), infeasible = p.get("infeasible").asInt(), violating = p.get("violating").asInt();
            assertThat(List.of(bar.getDomAttribute("data-explored"), bar.getDomAttribute("data-violating"),
                    bar.getDomAttribute("data-clean"), bar.getDomAttribute("data-infeasible")))
                    .containsExactly(String.valueOf(explored), String.valueOf(violating),
                            String.valueOf(explored - infeasible - violating), String.valueOf(infeasible));
            assertThat(bar.findElement(By.cssSelector("text.bar-numbers")).getText()).startsWith(violating + " violating, "
                    + (explored - infeasible - violating) + " not violating, " + infeasible + " infeasible");
            assertThat(browser.driver.findElements(By.cssSelector("#explore-outcomes-" + p.get("policy").asString() + " tbody tr")))
                    .hasSize(p.get("outcomes").size());
        }
        assertThat(policy(policies, "revocable").get("violating").asInt()).as("revocable prevents it").isZero();
        var fenced = policy(policies, "fenced");
        assertThat(fenced.get("violating").asInt()).as("fenced does not").isPositive();

        // fenced's outcome with the callback after remove(): its shortest schedule, then its replay's timeline
        JsonNode afterRemove = StreamSupport.stream(fenced.get("outcomes").spliterator(), false)
                .filter(o -> o.get("outcome").asString().contains("timer_after_remove:occurred")).findFirst().orElseThrow();
        var row = "#explore-outcomes-fenced tr[data-outcome='" + afterRemove.get("outcome").asString() + "']";
        assertThat(browser.text(By.cssSelector(row + " th"))).isEqualTo(afterRemove.get("outcome").asString().replace(':', ' '));
        assertThat(browser.driver.findElements(By.cssSelector(row + " ol.schedule li")).stream().map(WebElement::getText).toList())
                .isEqualTo(StreamSupport.stream(afterRemove.get("schedule").spliterator(), false).map(JsonNode::asString).toList());
        var download = browser.driver.findElement(By.cssSelector(row + " a[download]"));
        assertThat(download.getDomAttribute("download")).isEqualTo(afterRemove.at("/reproducer/name").asString() + ".json");
        var href = download.getDomAttribute("href");
        assertThat(href).startsWith("data:application/json;charset=utf-8,");
        assertThat(JSON.readTree(URLDecoder.decode(href.substring(href.indexOf(',') + 1), StandardCharsets.UTF_8)))
                .as("the download is the reproducer").isEqualTo(afterRemove.get("reproducer"));
        browser.click(By.cssSelector(row + " button.replay"));
        browser.until("the violation in the replay's timeline",
                d -> d.findElement(By.cssSelector("#replay li[data-event='violation.timer_after_remove']")).isDisplayed());
        assertThat(browser.text(By.cssSelector("#replay li[data-event='violation.timer_after_remove']")))
                .contains("1,000,000 ns", "ran after remove() returned");
        browser.waitText(By.id("replay-digest"), "replays to the exploration's digest");
        browser.screenshot(Path.of("target", "console-explore-timeline.png"));

        // a scenario that tears nothing down: the API's EINVAL, as the console shows every problem
        browser.select(By.id("explore-select"), "devres-unwind-on-failed-probe");
        browser.click(By.id("explore-run"));
        browser.until("an error notice", d -> d.findElement(By.cssSelector("#notice.error")).isDisplayed());
        assertThat(browser.text(By.id("notice"))).contains("Exploring devres-unwind-on-failed-probe failed", "EINVAL",
                "tears nothing down");
        assertThat(browser.scriptErrors()).as("errors in the browser's console").isEmpty();
    }

    private static JsonNode policy(List<JsonNode> policies, String name) {
        return policies.stream().filter(p -> p.get("policy").asString().equals(name)).findFirst().orElseThrow();
    }
}
