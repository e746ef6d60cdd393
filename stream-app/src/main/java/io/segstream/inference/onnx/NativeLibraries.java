package io.segstream.inference.onnx;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds the NVIDIA libraries ONNX Runtime's CUDA and TensorRT providers load (libcuda, cuBLAS,
 * cuDNN, TensorRT) where the dynamic linker would: {@code LD_LIBRARY_PATH}, the linker cache
 * ({@code ldconfig -p}) and the usual directories. So a provider can say which library is missing,
 * by name, before ONNX Runtime fails on it with a less direct message.
 */
final class NativeLibraries {
    private static final List<String> USUAL = List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
            "/usr/lib64", "/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/lib",
            "/usr/lib/wsl/lib");

    private static volatile Set<String> linkerCache;

    private NativeLibraries() {}

    /** Where {@code soname} (libcublasLt.so.12) lies, if anywhere the linker looks. */
    static Optional<Path> find(String soname) {
        for (Path dir : directories()) {
            Path candidate = dir.resolve(soname);
            if (Files.exists(candidate)) {
                return Optional.of(candidate);
            }
        }
        for (String path : cache()) {
            if (Path.of(path).getFileName().toString().equals(soname) && Files.exists(Path.of(path))) {
                return Optional.of(Path.of(path));
            }
        }
        return Optional.empty();
    }

    /** The sonames of {@code needed} that cannot be found, in order. */
    static List<String> missing(List<String> needed) {
        List<String> missing = new ArrayList<>();
        for (String soname : needed) {
            if (find(soname).isEmpty()) {
                missing.add(soname);
            }
        }
        return missing;
    }

    private static List<Path> directories() {
        Set<Path> dirs = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        for (String d : USUAL) {
            dirs.add(Path.of(d));
        }
        return new ArrayList<>(dirs);
    }

    /** The paths in the dynamic linker's cache (empty when ldconfig is absent). */
    private static Set<String> cache() {
        Set<String> cached = linkerCache;
        if (cached != null) {
            return cached;
        }
        Set<String> paths = new LinkedHashSet<>();
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
            try {
                Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        int arrow = line.indexOf("=> ");
                        if (arrow > 0) {
                            paths.add(line.substring(arrow + 3).trim());
                        }
                    }
                }
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    break;
                }
            } catch (IOException e) {
                // not there: try the next, or rely on the directories
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        linkerCache = paths;
        return paths;
    }

    /** The version in a resolved library's file name (libnvinfer.so.10.3.0 -> 10.3.0), or its soname's. */
    static String version(Path library, String soname) {
        try {
            String real = library.toRealPath().getFileName().toString();
            int so = real.indexOf(".so.");
            if (so > 0) {
                return real.substring(so + 4);
            }
        } catch (IOException e) {
            // keep the soname's
        }
        return soname.substring(soname.indexOf(".so.") + 4);
    }
}
