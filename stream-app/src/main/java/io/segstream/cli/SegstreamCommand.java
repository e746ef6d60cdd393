package io.segstream.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

@Command(name = "segstream",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        resourceBundle = "io.segstream.cli.SettingDefaults",
        description = {
            "Live camera video to semantic segmentation masks on Kafka.",
            "",
            "ingest decodes video into Frame records on a frames topic; run segments them in a Kafka Streams "
                + "application and writes Mask records to a masks topic; export draws them; demo does all of it on a "
                + "Kafka broker inside the process.",
            "",
            "DeepLab through DJL (ONNX Runtime on CPUs, TensorRT on NVIDIA GPUs). Models and sample clips are found "
                + "in --data-dir (or $SEGSTREAM_DATA_DIR), else downloaded once, checksummed, into ~/.cache/segstream "
                + "($SEGSTREAM_CACHE_DIR)."},
        subcommands = {DemoCommand.class, IngestCommand.class, RunCommand.class, ExportCommand.class, ViewCommand.class,
            SegmentCommand.class, EvalCommand.class, ModelCommand.class, EnginesCommand.class, HelpCommand.class},
        footer = {"", "Run 'segstream COMMAND --help' for a command's options.", "",
            "Exit codes: 0 done; 1 bad setting, input or file; 2 bad command line; 3 Kafka unreachable within "
                + "broker.timeout.ms, or failing; 4 Kafka authentication failed; 5 TLS certificate not trusted; 6 not "
                + "authorised (a missing ACL); 70 internal "
                + "error; 130/143 stopped by Ctrl-C/SIGTERM."})
public final class SegstreamCommand {}
