package io.segstream.cli;

import io.segstream.assets.AssetException;
import io.segstream.broker.KafkaAccessException;
import io.segstream.ingest.IngestException;
import io.segstream.codec.CodecException;
import io.segstream.codec.VideoException;
import io.segstream.inference.EngineUnavailableException;
import io.segstream.model.ModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Expected failures (a missing model, an absent engine, an unreadable input, an offline download)
 * become one line that says what is wrong and exit code 1; anything else is a bug and keeps its
 * stack trace.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        if (e instanceof ModelException || e instanceof AssetException || e instanceof EngineUnavailableException
                || e instanceof CodecException || e instanceof VideoException || e instanceof IOException
                || e instanceof UncheckedIOException || e instanceof IllegalArgumentException
                || e instanceof ConfigException || e instanceof IngestException || e instanceof KafkaAccessException) {
            commandLine.getErr().println(commandLine.getColorScheme().errorText("segstream: " + message(e)));
            return 1;
        }
        commandLine.getErr().println(commandLine.getColorScheme().stackTraceText(e));
        return 2;
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + message;
        }
        return message != null ? message : e.getClass().getSimpleName();
    }
}
