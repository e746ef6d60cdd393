package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The engines of the default (CPU) build, found through ServiceLoader. */
class EnginesTest {
    @TempDir
    Path modelDir;

    /** Under -Pgpu these expectations are the GPU build's, which EnginesGpuBuildTest checks. */
    private static void assumeCpuBuild() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("segstream.gpu.build"),
                "skipped: a -Pgpu build; EnginesGpuBuildTest checks its engines");
    }

    @Test
    void theProvidersAreFoundAndOrderedTensorRtCudaCpu() {
        List<String> order = Engines.providers().stream().map(p -> p.choice().label()).toList();
        assertEquals(List.of("tensorrt", "cuda", "cpu"), order);
        assertEquals(order, Engines.names());
    }

    @Test
    void theGpuEnginesSayTheCpuBuildCannotRunThem() {
        assumeCpuBuild();
        for (EngineProvider p : Engines.providers()) {
            EngineProvider.Availability a = p.availability();
            if (p.choice().equals(EngineChoice.CPU)) {
                assertTrue(a.available(), a.reason());
            } else {
                assertFalse(a.available(), p.choice() + " runs on a CPU-only build?");
                assertTrue(a.reason().contains("carries ONNX Runtime for CPUs only") && a.reason().contains("-Pgpu"),
                        a.reason());
            }
        }
    }

    @Test
    void autoFallsBackToTheCpuAndSaysWhy() throws Exception {
        assumeCpuBuild();
        ModelCard card = ModelImporter.importModel(SharedData.path(Assets.DEEPLAB_ONNX), modelDir,
                ModelImporter.Options.none());
        Logger logger = (Logger) LoggerFactory.getLogger(Engines.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try (InferenceEngine engine = Engines.open(EngineChoice.AUTO,
                EngineRequest.forModel(modelDir, card, 2, 1, false, null))) {
            assertTrue(engine.description().contains("CPU"), engine.description());
            float[] out = engine.infer(new float[257 * 257 * 3], 1);
            assertEquals(21 * 33 * 33, out.length);
        } finally {
            logger.detachAppender(log);
        }
        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("--engine auto: tensorrt cannot run here: this build")),
                lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("--engine auto: cuda cannot run here")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("--engine auto picked cpu")), lines.toString());
    }

    @Test
    void aNamedGpuEngineFailsWithTheReason() {
        assumeCpuBuild();
        EngineUnavailableException e = assertThrows(EngineUnavailableException.class,
                () -> Engines.open(EngineChoice.parse("tensorrt"), EngineRequest.cpu(modelDir.resolve("none.onnx"),
                        new long[] {3, 4, 4}, 1)));
        assertTrue(e.getMessage().startsWith("--engine tensorrt cannot run here: this build of segstream carries "
                + "ONNX Runtime for CPUs only"), e.getMessage());
    }

    @Test
    void choicesParseAsOnnxRuntimeNamesThemWithTheOldNameKept() {
        assertEquals(EngineChoice.CPU, EngineChoice.parse("onnxruntime"));
        assertEquals(new EngineChoice("tensorrt"), EngineChoice.parse("TensorRT"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineChoice.parse("openvino"));
        assertEquals("engine openvino is not one of auto, tensorrt, cuda, cpu", e.getMessage());
    }
}
