package io.segstream.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * podman (and podman-compose) as the deployment tests drive them: real images, real containers.
 * Where podman is missing or cannot run containers, the tests are skipped with one line saying so.
 */
final class Podman {
    /** The repository root: the images' build context, as deploy/README.md builds them. */
    static final Path ROOT = Path.of(System.getProperty("segstream.checkout.dir",
            Path.of(System.getProperty("user.dir")).getParent().toString()));
    /** Set this to build on a registry base (docker.io/library/eclipse-temurin:17-jre, say) instead of debootstrap's. */
    static final String BASE_PROPERTY = "segstream.container.base";
    static final String LOCAL_BASE = "localhost/segstream-base:bookworm";

    record Result(int exit, String output) {}

    private Podman() {}

    /** Skips the calling test, with one line, unless podman runs containers here. */
    static void requireUsable(String... tools) {
        for (String tool : tools) {
            if (!onPath(tool)) {
                skip(tool + " not found");
            }
        }
        Result info = run(Duration.ofMinutes(1), "podman", "info", "--format", "{{.Host.OCIRuntime.Name}}");
        if (info.exit() != 0) {
            skip("podman cannot run here (podman info: " + info.output().strip().lines().reduce((a, b) -> b).orElse("")
                    + ")");
        }
    }

    /** Skips the calling test, with one line, unless {@code tool} is on the PATH. */
    static void requireTool(String tool, String what) {
        if (!onPath(tool)) {
            String line = "SKIPPED: " + tool + " not found, so " + what;
            System.out.println(line);
            Assumptions.abort(line);
        }
    }

    /**
     * The base image for the builds: -Dsegstream.container.base when given; else the debootstrap base,
     * made once by deploy/image/make-base.sh (podman keeps it between runs on the same machine).
     */
    static String base() {
        String given = System.getProperty(BASE_PROPERTY);
        if (given != null && !given.isBlank()) {
            return given;
        }
        if (run(Duration.ofSeconds(30), "podman", "image", "exists", LOCAL_BASE).exit() == 0) {
            return LOCAL_BASE;
        }
        if (!onPath("debootstrap") || !"root".equals(System.getProperty("user.name"))) {
            skip("no base image: " + LOCAL_BASE + " is not built and debootstrap (as root) is not available to build "
                    + "it; set -D" + BASE_PROPERTY + "=docker.io/library/eclipse-temurin:17-jre to build on a registry base");
        }
        long t0 = System.nanoTime();
        Result made = run(Duration.ofMinutes(10), ROOT.resolve("deploy/image/make-base.sh").toString(), LOCAL_BASE);
        if (made.exit() != 0) {
            throw new AssertionError("deploy/image/make-base.sh failed:\n" + tail(made.output()));
        }
        System.out.printf("containers: base image %s made by debootstrap in %.0f s%n", LOCAL_BASE,
                (System.nanoTime() - t0) / 1e9);
        return LOCAL_BASE;
    }

    /** Builds {@code containerfile} (relative to the root) from the root as context; returns the tag. */
    static String build(String containerfile, String base, String tag) {
        long t0 = System.nanoTime();
        Result built = run(Duration.ofMinutes(10), "podman", "build", "-q", "-f", containerfile, "--build-arg",
                "BASE=" + base, "-t", tag, ".");
        if (built.exit() != 0) {
            throw new AssertionError("podman build -f " + containerfile + " failed:\n" + tail(built.output()));
        }
        System.out.printf("containers: built %s from %s on %s in %.0f s%n", tag, containerfile, base,
                (System.nanoTime() - t0) / 1e9);
        return tag;
    }

    static Result run(Duration timeout, String... command) {
        return run(timeout, Map.of(), command);
    }

    /** Runs a command in the repository root; stdout and stderr together. */
    static Result run(Duration timeout, Map<String, String> environment, String... command) {
        try {
            Path out = Files.createTempFile("podman-", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(ROOT.toFile())
                        .redirectErrorStream(true).redirectOutput(out.toFile());
                builder.environment().putAll(environment);
                Process p = builder.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not end within " + timeout + ":\n"
                            + tail(Files.readString(out)));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String tail(String output) {
        return output.length() <= 5000 ? output : output.substring(output.length() - 5000);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void skip(String why) {
        String line = "SKIPPED deployment tests: " + why + " (install podman, runc and podman-compose to run them; "
                + "deploy/README.md)";
        System.out.println(line);
        Assumptions.abort(line);
    }
}
