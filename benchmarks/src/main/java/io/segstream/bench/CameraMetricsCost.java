package io.segstream.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.segstream.metrics.PipelineMetrics;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.MaskStatus;
import io.segstream.schemas.v1.Timings;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What the per-camera series cost: bytes and milliseconds per scrape of the processor's own
 * metrics (PipelineMetrics with its per-camera series; the endpoint adds the JVM's and Kafka's, the
 * same for any camera count) with 0, 8 and 64 cameras, taking turns; then the heap the series hold
 * after 10,000 distinct camera ids are offered, under the default bound (metrics.max.cameras=256)
 * and with the bound lifted (100,000), which is what an unbounded label would cost.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.segstream.bench.CameraMetricsCost [rounds]</pre>
 */
public final class CameraMetricsCost {
    private CameraMetricsCost() {}

    public static void main(final String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int[] sizes = {0, 8, 64};
        PrometheusMeterRegistry[] registries = new PrometheusMeterRegistry[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            registries[i] = registry(sizes[i], 256);
        }
        double[][] millis = new double[sizes.length][rounds];
        int[] bytes = new int[sizes.length];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < sizes.length; i++) { // taking turns: the machine's speed drifts
                int scrapes = 200;
                long t0 = System.nanoTime();
                for (int s = 0; s < scrapes; s++) {
                    bytes[i] = registries[i].scrape().getBytes(StandardCharsets.UTF_8).length;
                }
                millis[i][round] = (System.nanoTime() - t0) / 1e6 / scrapes;
            }
        }
        for (int i = 0; i < sizes.length; i++) {
            java.util.Arrays.sort(millis[i]);
            System.out.printf(Locale.ROOT, "scrape, %2d cameras: %6d bytes, %.3f ms median of %d rounds of 200 "
                    + "(min %.3f, max %.3f), %d meters%n", sizes[i], bytes[i], millis[i][rounds / 2], rounds,
                    millis[i][0], millis[i][rounds - 1], registries[i].getMeters().size());
        }
        for (PrometheusMeterRegistry r : registries) {
            r.close();
        }
        heap(256);
        heap(100_000);
    }

    /** A registry with the processor's metrics after {@code cameras} cameras sent 100 frames each. */
    private static PrometheusMeterRegistry registry(final int cameras, final int bound) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics metrics = new PipelineMetrics(8);
        metrics.limitCameras(bound);
        metrics.bindTo(registry);
        offer(metrics, cameras, 100);
        return registry;
    }

    private static void offer(final PipelineMetrics metrics, final int cameras, final int framesEach) {
        for (int f = 0; f < framesEach; f++) {
            for (int c = 0; c < cameras; c++) {
                String id = "camera-" + c;
                metrics.frameIn(id);
                metrics.maskOut(Mask.newBuilder().setCameraId(id).setStatus(MaskStatus.MASK_STATUS_OK)
                        .setTimings(Timings.newBuilder().setEndToEndUs(50_000 + 1_000L * (f % 400))).build());
            }
        }
    }

    private static void heap(final int bound) {
        long before = usedAfterGc();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PipelineMetrics metrics = new PipelineMetrics(8);
        metrics.limitCameras(bound);
        metrics.bindTo(registry);
        offer(metrics, 10_000, 2);
        int scrapeBytes = registry.scrape().getBytes(StandardCharsets.UTF_8).length;
        long after = usedAfterGc();
        System.out.printf(Locale.ROOT, "heap, 10,000 camera ids offered, metrics.max.cameras=%d: %d label values, "
                + "%d meters, %.1f MiB retained, scrape %d bytes%n", bound, metrics.cameras().labelValues(),
                registry.getMeters().size(), (after - before) / 1048576.0, scrapeBytes);
        registry.close();
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
