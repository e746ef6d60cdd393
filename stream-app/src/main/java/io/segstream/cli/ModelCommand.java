package io.segstream.cli;

import picocli.CommandLine.Command;

@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Prepare segmentation models for the pipeline (import) and list the named ones (list).",
        subcommands = {ImportCommand.class, ModelListCommand.class})
final class ModelCommand {}
