package io.segstream.cli;

import picocli.CommandLine.Command;

@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Prepare segmentation models for the pipeline.",
        subcommands = {ImportCommand.class})
final class ModelCommand {}
