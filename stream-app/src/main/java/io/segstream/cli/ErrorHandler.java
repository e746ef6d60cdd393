package io.segstream.cli;

import io.segstream.broker.KafkaAccessException;
import io.segstream.codec.CodecException;
import io.segstream.codec.VideoException;
import io.segstream.data.AssetException;
import io.segstream.inference.EngineUnavailableException;
import io.segstream.ingest.IngestException;
import io.segstream.model.ModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Expected failures (a missing model, an absent engine, an unreadable input, an offline download,
 * Kafka out of reach) become one line, {@code segstream: ...}, that says what is wrong, and an exit
 * code from {@link ExitCodes}; anything else is a bug and keeps its stack trace.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        int code = exitCode(e);
        if (code == ExitCodes.INTERNAL) {
            commandLine.getErr().println(commandLine.getColorScheme().stackTraceText(e));
        } else {
            commandLine.getErr().println(commandLine.getColorScheme().errorText("segstream: " + message(e)));
        }
        return code;
    }

    static int exitCode(Throwable e) {
        if (e instanceof KafkaAccessException k) {
            return switch (k.kind()) {
                case AUTHENTICATION -> ExitCodes.KAFKA_AUTHENTICATION;
                case TLS -> ExitCodes.KAFKA_TLS;
                case AUTHORIZATION -> ExitCodes.KAFKA_AUTHORIZATION;
                case UNREACHABLE, FAILED -> ExitCodes.KAFKA_UNAVAILABLE;
            };
        }
        if (e instanceof ConfigException) {
            return ExitCodes.ERROR;
        }
        if (e instanceof KafkaException || (e instanceof IngestException && e.getCause() instanceof KafkaException)) {
            return ExitCodes.KAFKA_UNAVAILABLE;
        }
        if (e instanceof ModelException || e instanceof AssetException || e instanceof EngineUnavailableException
                || e instanceof CodecException || e instanceof VideoException || e instanceof IOException
                || e instanceof UncheckedIOException || e instanceof IllegalArgumentException
                || e instanceof IngestException) {
            return ExitCodes.ERROR;
        }
        return ExitCodes.INTERNAL;
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + message;
        }
        if (e instanceof KafkaException && !(e instanceof ConfigException)) {
            return "Kafka: " + (message != null ? message : e.getClass().getSimpleName());
        }
        return message != null ? message : e.getClass().getSimpleName();
    }
}
