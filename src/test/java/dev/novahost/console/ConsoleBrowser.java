package dev.novahost.console;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementClickInterceptedException;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by its chromedriver, both from the packages {@code .ci/run} installs
 * ({@code chromium}, {@code chromium-driver}). On CI a missing binary fails the test; on a developer's
 * machine the test is skipped, with the reason. The browser never goes online: background networking,
 * component updates, sync and QUIC are off, and each run gets a fresh profile in a temporary folder.
 */
final class ConsoleBrowser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    final ChromeDriver driver;
    final WebDriverWait wait;
    private final Path profile;

    private ConsoleBrowser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
        this.wait = new WebDriverWait(driver, Duration.ofSeconds(30), Duration.ofMillis(100));
        this.wait.ignoring(NoSuchElementException.class).ignoring(StaleElementReferenceException.class);
    }

    static ConsoleBrowser start() throws IOException {
        for (var binary : new Path[] {CHROMIUM, CHROMEDRIVER}) {
            if (!Files.isExecutable(binary)) {
                var why = binary + " is missing: install Debian's chromium and chromium-driver packages"
                        + " (apt-get install chromium chromium-driver), as .ci/run does";
                if ("true".equals(System.getenv("CI"))) {
                    fail(why);
                }
                Assumptions.abort(why);
            }
        }
        var profile = Files.createTempDirectory("nova-console-chromium");
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--disable-default-apps", "--lang=en-US",
                "--window-size=1440,1500", "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        var service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        try {
            return new ConsoleBrowser(new ChromeDriver(service, options), profile);
        } catch (RuntimeException e) {
            delete(profile);
            throw e;
        }
    }

    <T> T until(String what, Function<WebDriver, T> condition) {
        return wait.withMessage(what).until(condition);
    }

    /** Waits for the element and clicks it, again if a re-render replaced it in between. */
    void click(By by) {
        until("clickable " + by, d -> {
            var element = d.findElement(by);
            if (!element.isDisplayed() || !element.isEnabled()) {
                return false;
            }
            try {
                element.click();
                return true;
            } catch (ElementClickInterceptedException e) {
                return false;
            }
        });
    }

    void select(By by, String value) {
        until("option " + value + " of " + by, d -> {
            new Select(d.findElement(by)).selectByValue(value);
            return true;
        });
    }

    String text(By by) {
        return until("text of " + by, d -> d.findElement(by).getText());
    }

    void waitText(By by, String expected) {
        until(by + " to read '" + expected + "'", d -> d.findElement(by).getText().strip().equals(expected));
    }

    void waitContains(By by, String expected) {
        until(by + " to contain '" + expected + "'", d -> d.findElement(by).getText().contains(expected));
    }

    boolean displayed(By by) {
        return driver.findElements(by).stream().anyMatch(WebElement::isDisplayed);
    }

    /**
     * What the page's scripts reported as errors since the last call; a failed API call the console
     * handled (the browser logs its status line) is not one.
     */
    List<String> scriptErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !message.contains("Failed to load resource"))
                .toList();
    }

    void screenshot(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            delete(profile);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder; the OS cleans it up eventually
        }
    }
}
