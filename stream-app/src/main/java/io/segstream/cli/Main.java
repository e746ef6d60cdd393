package io.segstream.cli;

import picocli.CommandLine;

/** Entry point of {@code java -jar segstream.jar}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        System.setProperty("ai.djl.offline", "true");
        // JavaCPP/JavaCV log through SLF4J (logback.xml decides) rather than straight to stderr.
        System.setProperty("org.bytedeco.javacpp.logger", "slf4j");
        return new CommandLine(new SegstreamCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(new ErrorHandler())
                .execute(args);
    }
}
