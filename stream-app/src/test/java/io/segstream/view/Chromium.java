package io.segstream.view;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium driven through chromedriver (Debian's chromium and chromium-driver, or
 * the paths in SEGSTREAM_CHROMIUM and SEGSTREAM_CHROMEDRIVER). Tests that need it are skipped, with
 * one line saying how to install it, where it is absent.
 */
final class Chromium {
    private Chromium() {}

    static ChromeDriver start(Path profile) {
        Path browser = find("SEGSTREAM_CHROMIUM", List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome"));
        Path driver = find("SEGSTREAM_CHROMEDRIVER", List.of("/usr/bin/chromedriver",
                "/usr/lib/chromium/chromedriver"));
        if (browser == null || driver == null) {
            String line = "skipped: no " + (browser == null ? "chromium" : "chromedriver") + " on this machine "
                    + "(apt-get install chromium chromium-driver, or set SEGSTREAM_CHROMIUM and SEGSTREAM_CHROMEDRIVER)";
            System.out.println(line);
            Assumptions.abort(line);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900", "--user-data-dir=" + profile);
        org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
        logs.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().withTimeout(Duration.ofSeconds(60)).build();
        ChromeDriver chrome = new ChromeDriver(service, options);
        chrome.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return chrome;
    }

    private static Path find(String variable, List<String> candidates) {
        String named = System.getenv(variable);
        if (named != null && !named.isBlank()) {
            return Files.isExecutable(Path.of(named)) ? Path.of(named) : null;
        }
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return null;
    }
}
