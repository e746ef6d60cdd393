package io.segstream.cli;

import io.segstream.data.AssetResolver;
import io.segstream.model.ModelLocator;
import io.segstream.model.ModelZoo;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List the named models: classes, input size, output stride, network, format, where each comes "
                + "from (public repository at a fixed commit, licence), and whether it is on this machine (in the "
                + "data directory or the cache, and imported).",
            "Use a name with --model in run, demo, segment and eval; NAME:int8 or NAME:float picks the precision of an "
                + "8-bit model (default " + "int8)."})
final class ModelListCommand implements Callable<Integer> {
    @Mixin
    DataOptions data;

    @Override
    public Integer call() {
        AssetResolver assets = data.resolver();
        System.out.printf("%-38s %-10s %7s %6s %-22s %-13s %s%n", "NAME", "DATASET", "INPUT", "STRIDE", "NETWORK",
                "FORMAT", "HERE");
        for (ModelZoo.Entry e : ModelZoo.ALL) {
            boolean file = assets.localCopy(e.file()) != null;
            boolean imported = Files.isRegularFile(ModelLocator.cachedDir(new ModelZoo.Named(e, null), assets)
                    .resolve("model.json"));
            String here = file ? (imported ? "yes, imported" : "yes") : "no (downloaded on first use)";
            System.out.printf(Locale.ROOT, "%-38s %-10s %7s %6d %-22s %-13s %s%n", e.name(), e.dataset() + " "
                    + e.classes(), e.inputSize() + "^2", e.outputStride(), e.network(), e.format(), here);
        }
        System.out.println();
        for (ModelZoo.Entry e : ModelZoo.ALL) {
            System.out.printf("%s: %s, %s%s%s%n", e.name(), e.source(), e.file().url(),
                    e.aliases().isEmpty() ? "" : "; also called " + String.join(", ", e.aliases()),
                    e.reported().isEmpty() ? "" : "; reported: " + e.reported());
        }
        return ExitCodes.OK;
    }
}
