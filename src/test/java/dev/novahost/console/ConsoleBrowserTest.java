package dev.novahost.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.novahost.kernel.lockdep.Lockdep;
import dev.novahost.kernel.novacore.TimerService;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The web console in a real (headless) browser against the running service, with no tokens configured
 * (so the console is an operator): a device is created, nova-core loaded, bound and unbound through the
 * UI, a forgotten {@code hrtimer_cancel} turns into a violation, and the table, the live log and the
 * violation's timeline show it. Leaves a screenshot in {@code target/console.png}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsoleBrowserTest extends InBrowser {

    private static final String GA102 = "0000:01:00.0";

    @Autowired
    TimerService timers;

    @Autowired
    Lockdep lockdep;

    private ConsoleApi api;

    @BeforeEach
    void cleanHost() throws Exception {
        api = ConsoleApi.at(port, null);
        api.post("/api/v1/host/reset", null, 200);
    }

    @AfterEach
    void noScriptErrorsAndNoTimersLeft() throws Exception {
        api.post("/api/v1/host/reset", null, 200);   // the periodic timer of the violation test keeps firing
        assertThat(browser.scriptErrors()).as("errors in the browser's console").isEmpty();
    }

    private void openConsole() {
        browser.driver.get("http://127.0.0.1:" + port + "/");
        browser.waitText(By.id("role"), "operator");
        browser.waitText(By.id("live"), "live");
    }

    private static By row(String address) {
        return By.cssSelector("#devices tr[data-address='" + address + "']");
    }

    private static By cell(String address, String column) {
        return By.cssSelector("#devices tr[data-address='" + address + "'] td.device-" + column);
    }

    private static By action(String action, String address) {
        return By.cssSelector("button[data-action='" + action + "'][data-address='" + address + "']");
    }

    @Test
    void aForgottenTimerCancelShowsUpInTheTableTheLogAndTheTimeline() throws Exception {
        openConsole();

        // the selector offers every policy of the contract (issue 18: srcu too)
        browser.until("the policy selector", d -> !d.findElements(By.id("policy-nova-core")).isEmpty());
        assertThat(browser.driver.findElements(By.cssSelector("#policy-nova-core option")))
                .extracting(option -> option.getAttribute("value")).containsExactly("revocable", "fenced", "srcu");

        // fenced, and remove() forgets hrtimer_cancel: the bug really happens
        browser.select(By.id("policy-nova-core"), "fenced");
        browser.until("policy fenced", d -> apiGet("/api/v1/drivers/nova-core/policy").contains("\"fenced\""));
        browser.click(By.id("fault-forgetTimerCancel"));
        browser.until("fault on", d -> apiGet("/api/v1/drivers/nova-core/faults").contains("\"forgetTimerCancel\":true"));

        // hot-plug a GA102 through the form
        browser.select(By.id("create-chipset"), "GA102");
        browser.click(By.id("create-device"));
        browser.until("the new device's row", d -> d.findElement(row(GA102)).isDisplayed());
        browser.waitText(cell(GA102, "state"), "present");
        browser.waitText(cell(GA102, "driver"), "—");
        assertThat(browser.text(row(GA102))).contains("GA102", "Ampere");

        // insmod: the module goes live and autoprobes the device with the fenced policy
        browser.click(By.cssSelector("button[data-action='load'][data-module='nova-core']"));
        browser.waitText(By.cssSelector("#modules tr[data-module='nova-core'] td.module-state"), "live");
        browser.waitText(cell(GA102, "driver"), "nova-core");
        browser.waitText(cell(GA102, "policy"), "fenced");

        // unbind and bind again from the table
        browser.click(action("unbind", GA102));
        browser.waitText(cell(GA102, "driver"), "—");
        browser.click(action("bind", GA102));
        browser.waitText(cell(GA102, "driver"), "nova-core");

        // a periodic timer whose callback touches BAR0, then unbind: remove() forgets to cancel it
        api.post("/api/v1/devices/" + GA102 + "/timers",
                "{\"mode\":\"periodic\",\"delayNs\":1000000,\"periodNs\":20000000,\"action\":\"touch-bar\"}", 201);
        browser.waitContains(By.id("log"), "timer.armed");
        browser.click(action("unbind", GA102));
        browser.waitText(cell(GA102, "driver"), "—");
        browser.waitText(cell(GA102, "state"), "present");

        // the live log shows the violation as it happens
        browser.until("a violation.timer_after_remove line in the live log",
                d -> d.findElement(By.cssSelector("#log li[data-type='violation.timer_after_remove']")).isDisplayed());
        assertThat(browser.text(By.cssSelector("#log li[data-type='violation.timer_after_remove']")))
                .contains(GA102, "ran after remove() returned");

        // the violations list, grouped by kind and outcome; clicking one shows its causal timeline
        browser.until("the occurred timer_after_remove group",
                d -> d.findElement(By.cssSelector("#violations .vgroup[data-kind='timer_after_remove'][data-outcome='occurred']")).isDisplayed());
        browser.click(By.cssSelector("#violations button.violation[data-kind='timer_after_remove']"));
        browser.waitContains(By.id("timeline-h"), "timer_after_remove");
        browser.waitContains(By.id("timeline"), "timer.created");
        browser.waitContains(By.id("timeline"), "driver.remove");
        var timeline = browser.text(By.id("timeline"));
        assertThat(timeline.indexOf("timer.created")).isLessThan(timeline.indexOf("driver.remove"));
        // the summary refreshes on its own schedule, after the violation's log line
        browser.waitContains(By.id("host-summary"), "timer_after_remove");
        assertThat(browser.text(By.id("host-summary"))).contains("tainted");

        // the log filters by device
        browser.select(By.id("log-device"), GA102);
        browser.until("only the device's lines", d -> d.findElements(By.cssSelector("#log li")).stream()
                .allMatch(line -> line.getText().contains(GA102)));

        browser.screenshot(Path.of("target", "console.png"));
    }

    /**
     * An unbind stuck in {@code hrtimer_cancel} (its timer's callback held in flight) shows in the blocked
     * tasks with what it waits for, and leaves when {@code task.done} comes; the order it made (the device
     * lock held across the cancel) and a callback taking the device lock close a cycle, which the lockdep
     * panel shows as its report, line by line, with how often it was seen.
     */
    @Test
    void aStuckUnbindShowsAsABlockedTaskAndItsLockOrderAsALockdepCycle() throws Exception {
        api.post("/api/v1/modules/nova-core/load", null, 200);
        api.post("/api/v1/devices", "{\"chipset\":\"GA102\"}", 201);
        openConsole();
        assertThat(browser.displayed(By.id("tasks-empty"))).isTrue();

        api.post("/api/v1/devices/" + GA102 + "/timers", "{\"mode\":\"periodic\",\"delayNs\":0,\"periodNs\":1000000}", 201);
        var timer = timers.all().getFirst();
        var callback = timer.holdNextCallback();
        try {
            assertThat(callback.awaitEntered(30, TimeUnit.SECONDS)).as("the callback runs").isTrue();
            api.post("/api/v1/drivers/nova-core/unbind?wait=50", "{\"device\":\"" + GA102 + "\"}", 202);

            // the panel refreshes on its own schedule: the task in D, on what, since when
            var stuck = By.cssSelector("#tasks tr[data-state='D']");
            browser.until("the unbind in D", d -> d.findElement(stuck).isDisplayed());
            assertThat(browser.text(stuck)).contains("unbind " + GA102, "hrtimer_cancel(" + timer.name() + ")");
            assertThat(browser.driver.findElement(By.cssSelector("#tasks tr[data-state='D'] td.task-since time"))
                    .getAttribute("datetime")).isNotBlank();
            assertThat(browser.displayed(By.id("tasks-empty"))).isFalse();
        } finally {
            callback.release();
        }
        browser.until("the task gone on task.done", d -> d.findElements(By.cssSelector("#tasks tr")).isEmpty());
        browser.waitContains(By.id("log"), "task.done");

        callbackTakesTheDeviceLock();
        var cycle = By.cssSelector("#lockdep section.cycle[data-recursive='false']");
        browser.until("the cycle", d -> d.findElement(cycle).isDisplayed());
        var lines = browser.driver.findElements(By.cssSelector("#lockdep section.cycle ol.chain li")).stream()
                .map(line -> line.getText()).toList();
        assertThat(lines.getFirst()).isEqualTo("WARNING: possible circular locking dependency detected");
        assertThat(lines.get(1)).isEqualTo("timer 1 callback is trying to acquire lock: (&dev->mutex) in device_lock");
        assertThat(String.join("\n", lines)).contains("(hrtimer)nova_timer_fn): taken in hrtimer_cancel");
        assertThat(browser.text(cycle)).contains("lockdep.circular", "seen ×1", "&dev->mutex → (hrtimer)nova_timer_fn");

        callbackTakesTheDeviceLock(); // the same cycle again: counted, no new report, seen on the next refresh
        browser.waitContains(By.cssSelector("#lockdep .cycle-times"), "seen ×2");
        browser.screenshot(Path.of("target", "console-lockdep.png"));
    }

    /** The bug, as lockdep sees it: a timer callback calls device_lock() (its two acquisitions, made directly). */
    private void callbackTakesTheDeviceLock() throws InterruptedException {
        var callback = Thread.ofPlatform().name("hrtimer callback").start(() -> {
            lockdep.nameTask("timer 1 callback");
            try (var running = lockdep.acquire(lockdep.lockClass("(hrtimer)nova_timer_fn"), "nova_timer_fn");
                 var device = lockdep.acquire(lockdep.lockClass("&dev->mutex"), "device_lock")) {
                // both orders seen: the circle closes here, before anything waits
            }
        });
        callback.join();
    }

    /** Per fault on/off and its attributes, and the seed: what the kernel keeps, and a reload shows. */
    @Test
    void theFaultsPanelEditsAttributesAndTheSeed() throws Exception {
        String faults = "/api/v1/drivers/nova-core/faults";
        openConsole();

        browser.click(By.id("fault-forgetTimerCancel"));
        browser.until("fault on", d -> apiGet(faults).contains("\"forgetTimerCancel\":true"));
        typeInto(By.id("fault-seed"), "42");
        browser.until("seed 42", d -> apiGet(faults).contains("\"seed\":42"));
        typeInto(By.id("fault-forgetTimerCancel-space"), "2");
        browser.until("space 2", d -> apiGet(faults).contains("\"space\":2"));
        typeInto(By.id("fault-forgetTimerCancel-times"), "2");
        typeInto(By.id("fault-forgetTimerCancel-device"), GA102);
        browser.until("forget the third cancel, twice, on the GA102", d -> apiGet(faults).contains(
                "\"forgetTimerCancel\":{\"probability\":100,\"interval\":1,\"times\":2,\"space\":2,\"verbose\":1,"
                        + "\"device\":\"" + GA102 + "\"}"));
        assertThat(apiGet(faults)).contains("\"seed\":42");

        // a value the kernel refuses is its errno, and nothing changes
        typeInto(By.id("fault-forgetTimerCancel-probability"), "150");
        browser.until("an error notice", d -> d.findElement(By.cssSelector("#notice.error")).isDisplayed());
        assertThat(browser.text(By.id("notice"))).contains("EINVAL", "probability");
        assertThat(apiGet(faults)).contains("\"probability\":100,\"interval\":1,\"times\":2");

        // a reload shows what the kernel keeps
        openConsole();
        // one condition for all of them: the page may paint what it remembers before the fresh answer
        browser.until("times 2, seed 42, the device and the fault on shown", d ->
                "2".equals(d.findElement(By.id("fault-forgetTimerCancel-times")).getDomProperty("value"))
                        && "42".equals(d.findElement(By.id("fault-seed")).getDomProperty("value"))
                        && GA102.equals(d.findElement(By.id("fault-forgetTimerCancel-device")).getDomProperty("value"))
                        && d.findElement(By.id("fault-forgetTimerCancel")).isSelected());
    }

    /**
     * The panel is painted again from every answer and every poll; text being typed is not overwritten by it
     * (it once was, losing a device address typed while the previous field's change was being saved).
     */
    @Test
    void aRepaintLeavesTheInputBeingTypedIn() throws Exception {
        String faults = "/api/v1/drivers/nova-core/faults";
        openConsole();
        browser.click(By.id("fault-forgetTimerCancel"));
        browser.until("fault on", d -> apiGet(faults).contains("\"forgetTimerCancel\":true"));
        var device = browser.driver.findElement(By.id("fault-forgetTimerCancel-device"));
        device.sendKeys(GA102);                          // typed, not yet left: not saved

        api.put(faults, "{\"forgetTimerCancel\":true,\"seed\":7}");
        browser.until("the repaint that shows seed 7", d ->
                "7".equals(d.findElement(By.id("fault-seed")).getDomProperty("value")));
        assertThat(device.getDomProperty("value")).isEqualTo(GA102);

        device.sendKeys(Keys.TAB);
        browser.until("the device saved", d -> apiGet(faults).contains("\"device\":\"" + GA102 + "\""));
    }

    /**
     * Per injection point (from {@code GET .../injectable}, in probe order) on/off, its retval and its
     * attributes: pci_iomap on with ENOMEM (at probe), a bind from the table fails with ENOMEM, and a reload
     * shows what the kernel keeps.
     */
    @Test
    void theFaultsPanelEditsInjectionPoints() throws Exception {
        String faults = "/api/v1/drivers/nova-core/faults";
        openConsole();
        browser.until("the injection points, in probe order", d -> d.findElements(By.cssSelector("#inject-points .flag"))
                .stream().map(p -> p.getDomAttribute("data-point")).toList().equals(java.util.List.of("pci_enable_device",
                        "pci_request_region", "pci_iomap", "kzalloc", "request_irq", "request_firmware", "read_poll_timeout")));

        browser.click(By.id("inject-pci_iomap"));
        browser.until("pci_iomap on", d -> apiGet(faults).contains("\"inject\":{\"pci_iomap\":{\"retval\":\"ENOMEM\""));
        browser.select(By.id("inject-pci_iomap-retval"), "ENOMEM");
        browser.select(By.id("inject-pci_iomap-site"), "probe");
        browser.until("at probe", d -> apiGet(faults).contains("\"site\":\"probe\""));
        typeInto(By.id("inject-pci_iomap-times"), "5");
        browser.until("times 5", d -> apiGet(faults).contains("\"pci_iomap\":{\"retval\":\"ENOMEM\",\"probability\":100,"
                + "\"interval\":1,\"times\":5,\"space\":0,\"verbose\":1,\"site\":\"probe\"}"));

        api.post("/api/v1/devices", "{\"chipset\":\"GA102\"}", 201);
        api.post("/api/v1/modules/nova-core/load", null, 200); // its autoprobe fails as well
        browser.until("the device's row", d -> d.findElement(row(GA102)).isDisplayed());
        browser.click(action("bind", GA102));
        browser.until("an error notice", d -> d.findElement(By.cssSelector("#notice.error")).isDisplayed());
        assertThat(browser.text(By.id("notice"))).contains("Bind " + GA102 + " failed", "ENOMEM", "pci_iomap");
        browser.waitText(cell(GA102, "driver"), "—");

        openConsole();
        // one condition for all of them, as above: the page may paint what it remembers before the fresh answer
        browser.until("pci_iomap shown on, ENOMEM at probe, 5 times", d -> d.findElement(By.id("inject-pci_iomap")).isSelected()
                && "ENOMEM".equals(d.findElement(By.id("inject-pci_iomap-retval")).getDomProperty("value"))
                && "probe".equals(d.findElement(By.id("inject-pci_iomap-site")).getDomProperty("value"))
                && "5".equals(d.findElement(By.id("inject-pci_iomap-times")).getDomProperty("value")));
        assertThat(browser.driver.findElement(By.id("inject-request_irq")).isSelected()).isFalse();
        assertThat(browser.driver.findElement(By.id("fault-forgetTimerCancel-site")).getDomProperty("value")).isEmpty();
    }

    /** Replaces an input's text and leaves it, as a person does: its change event fires. */
    private void typeInto(By by, String text) {
        var input = browser.driver.findElement(by);
        // select and overwrite (clear() would fire a change of its own, and the re-render race the typing)
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), text, Keys.TAB);
    }

    @Test
    void anErrorIsShownAsItsErrnoAndSentence() throws Exception {
        api.post("/api/v1/devices", "{\"chipset\":\"GA102\"}", 201);
        openConsole();
        browser.until("the device's row", d -> d.findElement(row(GA102)).isDisplayed());

        // binding while nova-core is not loaded: ENOENT, with the service's sentence
        browser.click(action("bind", GA102));
        browser.until("an error notice", d -> d.findElement(By.cssSelector("#notice.error")).isDisplayed());
        assertThat(browser.text(By.id("notice"))).contains("Bind " + GA102 + " failed", "ENOENT", "not registered");

        // surprise removal and delete from the table
        browser.click(action("surprise-remove", GA102));
        browser.waitText(cell(GA102, "state"), "removed");
        browser.click(action("delete", GA102));
        browser.until("the row gone", d -> d.findElements(row(GA102)).isEmpty());
        assertThat(browser.displayed(By.id("devices-empty"))).isTrue();
    }

    @Test
    void aScenarioRunsUnderEveryPolicySideBySide() throws Exception {
        openConsole();
        browser.click(By.id("tab-scenarios"));
        browser.select(By.id("scenario-select"), "timer-fires-after-unbind");
        browser.click(By.id("scenario-run"));
        browser.until("the comparison", d -> d.findElement(By.id("scenario-comparison")).isDisplayed());
        var comparison = browser.text(By.id("scenario-comparison"));
        assertThat(comparison).contains("revocable", "fenced", "srcu", "timer_free_active", "prevented",
                "timer_after_remove", "occurred", "passed");
        browser.screenshot(Path.of("target", "console-scenarios.png"));
        browser.click(By.id("tab-host"));
    }

    /** Swagger UI is static files over openapi.yaml: it must render the contract's operations. */
    @Test
    void swaggerUiRendersTheContract() throws Exception {
        browser.driver.get("http://127.0.0.1:" + port + "/swagger-ui/index.html");
        browser.waitContains(By.id("swagger-ui"), "/api/v1/devices/{address}/mmio/{offset}");
        assertThat(browser.driver.findElements(By.cssSelector(".opblock")).size())
                .as("operations shown").isGreaterThan(30);
        browser.screenshot(Path.of("target", "swagger-ui.png"));
    }

    private String apiGet(String path) {
        try {
            return api.get(path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
