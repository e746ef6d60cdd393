package io.segstream.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskStatus;
import io.segstream.schemas.v1.Timings;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The per-camera series as Prometheus scrapes them: names in its conventions, one label value per
 * camera up to the bound, everything beyond it under camera="other", and a meter count that stops
 * growing however many ids are offered.
 */
class CameraMetricsTest {
    private static final Pattern CAMERA_LABEL = Pattern.compile("camera=\"([^\"]*)\"");

    private static Mask mask(final String camera, final MaskStatus status, final long endToEndUs) {
        return Mask.newBuilder().setCameraId(camera).setStatus(status)
                .setTimings(Timings.newBuilder().setEndToEndUs(endToEndUs)).build();
    }

    /** The camera label values of the samples (HELP and TYPE lines left out). */
    private static Set<String> cameraLabels(final String scrape) {
        return scrape.lines().filter(line -> !line.startsWith("#")).map(CAMERA_LABEL::matcher)
                .filter(Matcher::find).map(m -> m.group(1)).collect(Collectors.toSet());
    }

    @Test
    void shouldCountEachCameraUnderItsOwnLabelInPrometheusNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics metrics = new PipelineMetrics(4);
        metrics.frameIn("gate"); // seen before binding: its series appear once bound
        metrics.bindTo(registry);
        metrics.frameIn("gate");
        metrics.frameIn("lobby");
        metrics.frameIn("lobby");
        metrics.frameIn(null); // no key: the total only
        metrics.deadLettered("lobby");
        metrics.maskOut(mask("gate", MaskStatus.MASK_STATUS_OK, 80_000));
        metrics.maskOut(mask("gate", MaskStatus.MASK_STATUS_OK, 700_000));
        metrics.maskOut(mask("lobby", MaskStatus.MASK_STATUS_SKIPPED_STALE, 3_000_000));

        String scrape = registry.scrape();
        assertTrue(scrape.contains("segstream_camera_frames_total{camera=\"gate\"} 2.0"), scrape);
        assertTrue(scrape.contains("segstream_camera_frames_total{camera=\"lobby\"} 2.0"), scrape);
        assertTrue(scrape.contains("segstream_frames_total 5.0"), scrape);
        assertTrue(scrape.contains("segstream_camera_masks_total{camera=\"gate\"} 2.0"), scrape);
        assertTrue(scrape.contains("segstream_camera_masks_total{camera=\"lobby\"} 1.0"), scrape);
        assertTrue(scrape.contains("segstream_camera_frames_skipped_total{camera=\"lobby\",reason=\"stale\"} 1.0"),
                scrape);
        assertTrue(scrape.contains("segstream_camera_dead_letters_total{camera=\"lobby\"} 1.0"), scrape);
        assertTrue(scrape.contains("segstream_dead_letters_total 1.0"), scrape);
        // segmented masks only, in the fixed buckets: 80 ms under 0.1 s, 700 ms under 1 s
        assertTrue(scrape.contains("segstream_camera_latency_end_to_end_seconds_bucket{camera=\"gate\",le=\"0.1\"} 1"),
                scrape);
        assertTrue(scrape.contains("segstream_camera_latency_end_to_end_seconds_bucket{camera=\"gate\",le=\"1.0\"} 2"),
                scrape);
        assertTrue(scrape.contains("segstream_camera_latency_end_to_end_seconds_count{camera=\"lobby\"} 0"), scrape);
        assertTrue(scrape.contains("segstream_camera_last_mask_age_seconds{camera=\"gate\"}"), scrape);
        assertEquals(Set.of("gate", "lobby"), cameraLabels(scrape));
    }

    @Test
    void shouldCountIdsBeyondTheBoundAsOtherAndStopAddingMeters() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics metrics = new PipelineMetrics(4);
        metrics.limitCameras(16);
        metrics.bindTo(registry);
        metrics.frameIn("cam-0");
        int metersWithOneCamera = registry.getMeters().size();

        for (int i = 0; i < 10_000; i++) {
            metrics.frameIn("cam-" + i);
            metrics.maskOut(mask("cam-" + i, MaskStatus.MASK_STATUS_OK, 40_000));
        }

        CameraMetrics cameras = metrics.cameras();
        assertEquals(17, cameras.labelValues(), "16 cameras and other");
        assertEquals(2, cameras.frames("cam-0"));
        assertEquals(1, cameras.frames("cam-15"));
        assertEquals(0, cameras.frames("cam-16"), "the 17th id has no series of its own");
        assertEquals(10_000 - 16, cameras.frames(CameraMetrics.OTHER));
        assertEquals(10_000 - 16, cameras.masks(CameraMetrics.OTHER));
        // every label value costs the same meters: 16 more cameras and other, not 9,999 more
        int metersPerCamera = (int) registry.getMeters().stream()
                .filter(m -> "cam-0".equals(m.getId().getTag("camera"))).count();
        assertEquals(8, metersPerCamera); // frames, masks, skipped by 3 reasons, dead letters, last-mask age, latency
        assertEquals(metersWithOneCamera + 16 * metersPerCamera, registry.getMeters().size());
        String scrape = registry.scrape();
        assertTrue(scrape.contains("segstream_camera_frames_total{camera=\"other\"} 9984.0"), scrape);
        assertTrue(scrape.contains("segstream_camera_labels_overflow_total 19968.0"), scrape);
        assertEquals(17, cameraLabels(scrape).size());
        assertEquals(10_000 + 1, metrics.framesIn());
    }
}
