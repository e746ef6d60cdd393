package io.segstream.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SegstreamProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code segstream demo --view} as a new user runs it, looked at in a real headless Chromium: tiles
 * for every camera, pictures that change, the legend from the Mask's class table, a camera that
 * joins later, the camera page's class filter and opacity, and a camera that stops. Screenshots go
 * to target/view-screenshots.
 */
@Tag("integration")
class ViewBrowserTest {
    private static final Pattern VIEW_URL = Pattern.compile("demo: live view at (http://\\S+)");
    private static final Pattern BROKER = Pattern.compile("embedded Kafka broker (\\S+) up");
    /** What the overlay canvas of a camera holds now: painted pixels, their colours and alphas, a checksum. */
    private static final String OVERLAY = """
            const cam = window.segstream.cameras.get(arguments[0]);
            if (!cam || !cam.labels) return null;
            const c = cam.overlay, d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let painted = 0, hash = 0; const colours = new Set(), alphas = new Set();
            for (let i = 0; i < d.length; i += 4) {
              if (d[i + 3] > 0) {
                painted++; alphas.add(d[i + 3]);
                colours.add('#' + ((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]).toString(16).padStart(6, '0'));
              }
              hash = (Math.imul(hash, 31) + d[i] + 7 * d[i + 3]) | 0;
            }
            return {painted: painted, colours: [...colours].sort(), alphas: [...alphas].sort(), hash: hash,
                    sequence: cam.sequence, tiles: cam.tiles, paints: cam.paints};
            """;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void theDemosViewShowsEveryCameraLiveInARealBrowser() throws Exception {
        Path shots = Path.of("target", "view-screenshots");
        Files.createDirectories(shots);
        ChromeDriver chrome = Chromium.start(dir.resolve("chromium-profile"));
        SegstreamProcess late = null;
        try (SegstreamProcess demo = SegstreamProcess.start(dir.resolve("demo.log"), List.of(), "demo", "--view",
                "--view-port", "0", "--input", "sample:vtest", "--input", "sample:car-traffic", "--frames", "100",
                "--realtime", "--fit", "squash", "--no-export", "-X", "view.stale.ms=3000")) {
            assertTrue(demo.awaitOutput(VIEW_URL.asPredicate(), Duration.ofMinutes(2)), demo.output());
            String url = group(VIEW_URL, demo.output());
            String broker = group(BROKER, demo.output());
            chrome.get(url);
            WebDriverWait wait = new WebDriverWait(chrome, Duration.ofSeconds(120), Duration.ofMillis(200));

            // Every camera gets a tile with a picture; the header says the socket is live.
            try {
                wait.until(d -> tiles(chrome, "vtest-1") >= 1 && tiles(chrome, "car-traffic-2") >= 1);
            } catch (org.openqa.selenium.TimeoutException e) {
                throw new AssertionError("no tiles; browser log: " + chrome.manage().logs().get(
                        org.openqa.selenium.logging.LogType.BROWSER).getAll() + "\npage: "
                        + chrome.findElement(By.tagName("body")).getText() + "\ndemo:\n" + demo.output(), e);
            }
            assertEquals("live", chrome.findElement(By.id("status")).getText());
            assertTrue(chrome.findElement(By.id("empty")).getAttribute("hidden") != null, "the waiting line is gone");

            // A camera that starts later (ingested now, on the same broker) must appear without a reload: checked below.
            late = SegstreamProcess.start(dir.resolve("late.log"), List.of(), "ingest", "-b", broker,
                    "--source", "sample:vtest", "--camera", "late-cam", "--max-frames", "15");

            // Pictures change while the clip runs: two screenshots a second apart differ, and so do the overlay
            // canvas and the mask it shows.
            Map<String, Object> before = overlay(chrome, "vtest-1");
            byte[] first = chrome.getScreenshotAs(OutputType.BYTES);
            Thread.sleep(1_000);
            byte[] second = chrome.getScreenshotAs(OutputType.BYTES);
            Files.write(shots.resolve("live-1.png"), first);
            Files.write(shots.resolve("live-2.png"), second);
            assertFalse(java.util.Arrays.equals(pixels(first), pixels(second)), "the page changed in a second");
            wait.until(d -> !overlay(chrome, "vtest-1").get("sequence").equals(before.get("sequence")));
            Map<String, Object> after = overlay(chrome, "vtest-1");
            assertNotEquals(before.get("hash"), after.get("hash"), "the overlay changed with the mask");
            assertTrue(((Number) after.get("painted")).longValue() > 0, "some class is painted: " + after);

            // The legend holds the Mask's class names and colours, person among them (vtest is pedestrians).
            wait.until(d -> !chrome.findElements(By.cssSelector("#legend li[data-class='person']")).isEmpty());
            String person = (String) chrome.executeScript("const m = window.segstream.cameras.get('vtest-1').model;"
                    + " return m.palette[m.classes.indexOf('person')];");
            WebElement swatch = chrome.findElement(By.cssSelector("#legend li[data-class='person'] .swatch"));
            assertTrue(swatch.getCssValue("background-color").replace("rgba(", "rgb(").replace(", 1)", ")")
                    .equals(rgb(person)), swatch.getCssValue(
                    "background-color") + " vs " + person);
            screenshot(chrome, shots.resolve("grid.png"));

            // The camera page: one camera at full size, the controls shown, the others hidden.
            chrome.findElement(By.cssSelector(".tile[data-camera='vtest-1']")).click();
            wait.until(d -> d.getCurrentUrl().endsWith("#camera=vtest-1"));
            assertTrue(chrome.findElement(By.id("controls")).isDisplayed());
            assertFalse(chrome.findElement(By.cssSelector(".tile[data-camera='car-traffic-2']")).isDisplayed());

            // Opacity 100: painted pixels are opaque.
            chrome.executeScript("const o = document.getElementById('opacity'); o.value = 100;"
                    + " o.dispatchEvent(new Event('input'));");
            wait.until(d -> overlay(chrome, "vtest-1").get("alphas").equals(List.of(255L)));

            // Only person: every painted pixel is person's colour, and some are painted.
            chrome.findElement(By.cssSelector("#legend li[data-class='person'] button.only")).click();
            wait.until(d -> {
                Map<String, Object> o = overlay(chrome, "vtest-1");
                return ((Number) o.get("painted")).longValue() > 0 && o.get("colours").equals(List.of(person));
            });
            screenshot(chrome, shots.resolve("camera-person-only.png"));
            // Person hidden as well: nothing is painted.
            chrome.findElement(By.cssSelector("#legend li[data-class='person']")).click();
            wait.until(d -> ((Number) overlay(chrome, "vtest-1").get("painted")).longValue() == 0);
            chrome.findElement(By.id("show-all")).click();
            wait.until(d -> ((Number) overlay(chrome, "vtest-1").get("painted")).longValue() > 0);

            // The late camera's tile came without a reload.
            SegstreamProcess ingest = late;
            assertEquals(0, ingest.awaitExit(Duration.ofMinutes(2)), ingest.output());
            new WebDriverWait(chrome, Duration.ofMinutes(4), Duration.ofMillis(500))
                    .until(d -> tiles(chrome, "late-cam") >= 1);

            // Back to the grid; once the clips end, the cameras are greyed with the age of their last frame.
            chrome.findElement(By.id("back")).click();
            wait.until(d -> chrome.findElement(By.cssSelector(".tile[data-camera='car-traffic-2']")).isDisplayed());
            WebDriverWait end = new WebDriverWait(chrome, Duration.ofMinutes(5), Duration.ofMillis(500));
            // One snapshot per poll: on a loaded machine a camera can look stopped for a moment while its last
            // masks are still on their way, so class, age line and filter are read together.
            end.until(d -> greyedWithAge(chrome, "late-cam"));
            end.until(d -> hasClass(chrome, "vtest-1", "stopped") && hasClass(chrome, "car-traffic-2", "stopped"));
            screenshot(chrome, shots.resolve("grid-stopped.png"));
            assertTrue(demo.isAlive(), "demo --view stays up after the clip");
        } finally {
            chrome.quit();
            if (late != null) {
                late.close();
            }
        }
    }

    private static long tiles(ChromeDriver chrome, String camera) {
        Object n = chrome.executeScript("const c = window.segstream && window.segstream.cameras.get(arguments[0]);"
                + " return c ? c.tiles : 0;", camera);
        return ((Number) n).longValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> overlay(ChromeDriver chrome, String camera) {
        return (Map<String, Object>) chrome.executeScript(OVERLAY, camera);
    }

    private static boolean greyedWithAge(ChromeDriver chrome, String camera) {
        Object ok = chrome.executeScript("const t = document.querySelector(`.tile[data-camera='${arguments[0]}']`);"
                + " if (!t || !t.classList.contains('stopped')) return false;"
                + " const age = t.querySelector('.age'); const pic = t.querySelector('.picture');"
                + " return getComputedStyle(age).display !== 'none' && /^last frame \\d+ s ago$/.test(age.textContent)"
                + " && getComputedStyle(pic).filter.includes('grayscale');", camera);
        return Boolean.TRUE.equals(ok);
    }

    private static boolean hasClass(ChromeDriver chrome, String camera, String cls) {
        return chrome.findElement(By.cssSelector(".tile[data-camera='" + camera + "']")).getAttribute("class")
                .contains(cls);
    }

    private static String rgb(String hex) {
        int v = Integer.parseInt(hex.substring(1), 16);
        return "rgb(" + (v >> 16 & 255) + ", " + (v >> 8 & 255) + ", " + (v & 255) + ")";
    }

    private static int[] pixels(byte[] png) throws java.io.IOException {
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    private static String group(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), "no " + pattern + " in: " + text);
        return m.group(1);
    }

    private static void screenshot(ChromeDriver chrome, Path file) throws java.io.IOException {
        Files.copy(chrome.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
    }
}
