package io.segstream.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.config.SegstreamConfig;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.Engines;
import io.segstream.inference.InferenceEngine;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelException;
import io.segstream.model.ModelImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one factory of model, engine and CRF: what it opens, and that it closes them when a later step fails. */
class SegmenterTest {
    @TempDir
    static Path work;
    static Path model;

    @BeforeAll
    static void importModel() throws Exception {
        model = SharedData.importModel(work.resolve("model"));
    }

    /** Opens the real CPU engine and counts how often what it opened is closed. */
    static final class CountingOpener implements Segmenter.EngineOpener {
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final RuntimeException closeFailure;

        CountingOpener(final RuntimeException closeFailure) {
            this.closeFailure = closeFailure;
        }

        @Override
        public InferenceEngine open(final EngineChoice choice, final EngineRequest request) {
            final InferenceEngine real = Engines.open(choice, request);
            opened.incrementAndGet();
            return new InferenceEngine() {
                @Override
                public float[] infer(final float[] input, final int batch) {
                    return real.infer(input, batch);
                }

                @Override
                public String description() {
                    return real.description();
                }

                @Override
                public EngineChoice choice() {
                    return real.choice();
                }

                @Override
                public void close() {
                    real.close();
                    closed.incrementAndGet();
                    if (closeFailure != null) {
                        throw closeFailure;
                    }
                }
            };
        }
    }

    private static SegmenterOptions options(final Path dir) {
        return SegmenterOptions.forModel(dir).withEngine(EngineChoice.CPU).withThreads(1);
    }

    /** A copy of the imported model whose card's crf block is invalid (a negative theta_alpha). */
    private static Path modelWithInvalidCrfBlock() throws Exception {
        final Path dir = Files.createDirectories(work.resolve("invalid-crf"));
        Files.copy(model.resolve(ModelImporter.MODEL_FILE), dir.resolve(ModelImporter.MODEL_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ModelCard.read(model.resolve(ModelImporter.CARD_FILE))
                .withCrf(new ModelCard.Crf(3f, -1f, 8f, 2f, 1f, 5, "edited by hand"))
                .write(dir.resolve(ModelImporter.CARD_FILE));
        return dir;
    }

    @Test
    void shouldCloseTheEngineWhenTheCrfStepAfterItFails() throws Exception {
        final CountingOpener engines = new CountingOpener(null);
        final SegmenterOptions options = options(modelWithInvalidCrfBlock())
                .withCrf(new SegstreamConfig(Map.of(SegstreamConfig.CRF, "on"))::crfSetup);

        final ModelException e = assertThrows(ModelException.class, () -> Segmenter.open(options, engines));

        assertTrue(e.getMessage().contains("crf block is invalid"), e.getMessage());
        assertEquals(1, engines.opened.get(), "the engine was opened before the CRF step");
        assertEquals(1, engines.closed.get(), "and closed when the CRF step failed");
    }

    @Test
    void shouldCloseTheEngineWhenACrfSettingFailsAndKeepAFailedCloseAsSuppressed() {
        final IllegalStateException closeFailure = new IllegalStateException("close failed");
        final CountingOpener engines = new CountingOpener(closeFailure);
        final SegmenterOptions options = options(model).withCrf(params -> {
            throw new IllegalArgumentException("crf.w1 is out of range");
        });

        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Segmenter.open(options, engines));

        assertEquals("crf.w1 is out of range", e.getMessage(), "the step's own failure is what is thrown");
        assertEquals(1, engines.closed.get());
        assertSame(closeFailure, e.getSuppressed()[0], "the failed close rides along, suppressed");
    }

    @Test
    void shouldOpenCardEngineAndCrfAndCloseTheEngineOnceWithItsOwnPath() {
        final CountingOpener engines = new CountingOpener(null);
        final SegmenterOptions options = options(model)
                .withCrf(new SegstreamConfig(Map.of(SegstreamConfig.CRF, "on"))::crfSetup);
        try (Segmenter segmenter = Segmenter.open(options, engines)) {
            assertEquals(ModelCard.read(model.resolve(ModelImporter.CARD_FILE)).id(), segmenter.card().id());
            assertEquals(ModelCrf.params(segmenter.card()), segmenter.crf().params(),
                    "the card's own CRF parameters, no setting over them");
            assertSame(segmenter.path(), segmenter.path(), "one own path, made once");
            assertTrue(segmenter.path().refines());
            assertEquals(0, engines.closed.get());
        }
        assertEquals(1, engines.opened.get());
        assertEquals(1, engines.closed.get());
    }

    @Test
    void shouldOpenWithoutCrfByDefault() {
        try (Segmenter segmenter = Segmenter.open(options(model))) {
            assertNull(segmenter.crf());
            assertNotNull(segmenter.engine());
            assertTrue(!segmenter.path().refines());
        }
    }

    @Test
    void shouldRefuseAPathForACardOfAnotherShape() {
        try (Segmenter segmenter = Segmenter.open(options(model))) {
            final ModelCard card = segmenter.card();
            final ModelCard.Output o = card.output();
            final ModelCard other = new ModelCard(card.name(), card.id(), card.classes(), card.palette(),
                    card.background(), card.input(), new ModelCard.Output(o.name(), o.classes(), o.width() + 1,
                            o.height(), o.stride(), o.alignCorners()), card.source(), card.crf());
            assertThrows(IllegalArgumentException.class, () -> segmenter.newPath(other));
        }
    }
}
