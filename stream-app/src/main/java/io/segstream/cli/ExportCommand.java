package io.segstream.cli;

import io.segstream.broker.TopicAdmin;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.export.OverlayExporter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Join one camera's frames and masks (by sequence number) and write a coloured overlay: a video when --out "
                + "has an extension (.mp4, .mkv, .avi), else a folder of PNGs, one per frame.",
            "Reads the topics as they are now, masks with read_committed. A frame skipped in live mode is drawn with "
                + "the camera's latest earlier mask when that was captured at most 2 s before; "
                + "frames with neither (not processed yet, after a gap) are written without an overlay.",
            "",
            "Example:",
            "  segstream export -b kafka:9092 --camera lobby --out lobby-overlay.mp4"})
final class ExportCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--camera", required = true, paramLabel = "ID", description = "Camera id to export.")
    String camera;

    @Option(names = "--out", required = true, paramLabel = "FILE|DIR", description = "Overlay video or PNG folder.")
    Path out;

    @Option(names = "--alpha", defaultValue = "0.55", description = "Overlay opacity (default: ${DEFAULT-VALUE}).")
    float alpha;

    @Option(names = "--frame-rate", paramLabel = "FPS",
            description = "Frame rate of the video (default: the frames' own, as ingest recorded it from the source; "
                    + "25 when they do not say).")
    Double frameRate;

    @Override
    public Integer call() {
        ConfigLoader.Loaded loaded = kafka.load(Map.of());
        KafkaSettings settings = new KafkaSettings(loaded.segstream(), loaded.kafka());
        if (frameRate != null && !(frameRate > 0)) {
            throw new IllegalArgumentException("--frame-rate must be a positive number, was " + frameRate);
        }
        OverlayExporter.Result result;
        try (Shutdown shutdown = Shutdown.install(java.time.Duration.ofSeconds(5))) {
            TopicAdmin.awaitCluster(settings); // bounded by broker.timeout.ms; SIGTERM ends the wait at once
            TopicAdmin.requireAccess(settings, List.of(Map.entry(loaded.segstream().framesTopic(), AclOperation.READ),
                    Map.entry(loaded.segstream().masksTopic(), AclOperation.READ)));
            result = new OverlayExporter(settings.consumer(), loaded.segstream().framesTopic(),
                    loaded.segstream().masksTopic()).export(camera, out, alpha, frameRate == null ? 0 : frameRate);
        }
        if (result.frames() == 0) {
            throw new IllegalArgumentException("no frames of camera '" + camera + "' in "
                    + loaded.segstream().framesTopic());
        }
        System.out.printf("exported %d frames of camera '%s' to %s (%d with a mask%s, %d without)%n", result.frames(),
                camera, out, result.overlaid(), result.held() == 0 ? ""
                        : ", " + result.held() + " of them the camera's latest earlier one as theirs was skipped",
                result.withoutMask());
        if (result.invalid() > 0) {
            System.out.printf("skipped %d records of camera '%s' that are not valid frames (see the dead-letter "
                    + "topic)%n", result.invalid(), camera);
        }
        if (result.otherSize() > 0) {
            System.out.printf("left out %d frames whose size differs from the first frame's; export to a folder "
                    + "(--out DIR) to keep them%n", result.otherSize());
        }
        return 0;
    }
}
