package io.segstream.cli;

import io.segstream.broker.TopicAdmin;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.view.LiveView;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "view", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Serve a live web page of every camera: a grid of tiles, each the latest frame with its mask overlaid, "
                + "frames/s, end-to-end latency, class shares, CRF iterations, skipped and dead-lettered counts; "
                + "click a tile for the camera at full size with a class filter and an opacity slider.",
            "Follows the frames, masks and dead-letter topics (masks read_committed) and commits nothing, so any "
                + "number of views can run beside the processor. Cameras appear as they start; a camera with no "
                + "mask for view.stale.ms is greyed. Runs until Ctrl-C or SIGTERM.",
            "Listens on ${bundle:default.view.bind} unless --bind says otherwise. -X view.password=... (in --config, better) asks "
                + "every browser for an HTTP basic login as view.user; beyond this machine, serve it through a TLS "
                + "reverse proxy (README, \"Security\").",
            "",
            "Examples:",
            "  segstream view -b kafka:9092",
            "  segstream view -b kafka:9092 --port 9000 --config client.properties"})
final class ViewCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;

    @Option(names = "--port", paramLabel = "PORT", description = "Port of the page (default: ${bundle:default.view.port}; 0: any free one).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "Address to listen on (default: ${bundle:default.view.bind}, this machine only; 0.0.0.0 for "
                    + "every interface).")
    String bind;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        KafkaOptions.flag(flags, SegstreamConfig.VIEW_PORT, port);
        KafkaOptions.flag(flags, SegstreamConfig.VIEW_BIND, bind);
        ConfigLoader.Loaded loaded = kafka.load(flags);
        KafkaSettings settings = new KafkaSettings(loaded.segstream(), loaded.kafka());
        try (Shutdown shutdown = Shutdown.install(Duration.ofSeconds(10))) {
            TopicAdmin.awaitCluster(settings); // bounded by broker.timeout.ms; SIGTERM ends the wait at once
            // Frames and masks are what the page shows; dead letters only add a count, read when allowed.
            TopicAdmin.requireAccess(settings, List.of(Map.entry(loaded.segstream().framesTopic(), AclOperation.READ),
                    Map.entry(loaded.segstream().masksTopic(), AclOperation.READ)));
            try (LiveView view = new LiveView(loaded.segstream(), settings.consumer()).start()) {
                System.err.println("segstream view: " + view.url() + " (Ctrl-C to stop)");
                shutdown.protect();
                shutdown.await(Duration.ofDays(365_000));
            }
        }
        return 0;
    }
}
