package io.segstream.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.config.SegstreamConfig;
import io.segstream.crf.CrfParams;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelException;
import io.segstream.model.ModelImporter;
import io.segstream.model.ModelZoo;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CRF parameters per model: the card's, under the crf.* settings, with DeepLab v2's as the fallback. */
class ModelCrfTest {
    @TempDir
    Path dir;

    @Test
    void importWritesTheMeasuredParametersOfAKnownModelIntoItsCard() throws Exception {
        SharedData.importModel(dir);
        ModelCard card = ModelCard.read(dir.resolve(ModelImporter.CARD_FILE));
        assertEquals(new CrfParams(3f, 10f, 8f, 2f, 1f, 5), ModelCrf.params(card));
        assertTrue(card.crf().basis().contains("voc-sample"), card.crf().basis());
        assertEquals("the model card's", ModelCrf.source(card));
    }

    @Test
    void theDefaultModelCarriesTheParametersMeasuredForIt() throws Exception {
        ModelZoo.Named named = ModelZoo.lookup(SegstreamConfig.DEFAULT_MODEL).orElseThrow();
        ModelCard card = ModelImporter.importModel(SharedData.path(named.entry().file()), dir,
                ModelImporter.Options.none());
        assertEquals(new CrfParams(3f, 20f, 13f, 2f, 1f, 5), ModelCrf.params(card));
        assertTrue(card.crf().basis().contains("zoom"), card.crf().basis());
    }

    @Test
    void aCardWithoutParametersGetsDeepLabsAndGivenSettingsWinOverTheCards() throws Exception {
        SharedData.importModel(dir);
        ModelCard tuned = ModelCard.read(dir.resolve(ModelImporter.CARD_FILE));
        ModelCard plain = tuned.withCrf(null);
        assertEquals(CrfParams.DEEPLAB, ModelCrf.params(plain));
        assertEquals("DeepLab v2's", ModelCrf.source(plain));

        SegstreamConfig none = new SegstreamConfig(Map.of(SegstreamConfig.CRF, "on"));
        assertEquals(ModelCrf.params(tuned), none.crfSetup(ModelCrf.params(tuned)).params());
        SegstreamConfig some = new SegstreamConfig(Map.of(SegstreamConfig.CRF, "on", SegstreamConfig.CRF_W1, "6",
                SegstreamConfig.CRF_ITERATIONS, "2"));
        assertEquals(new CrfParams(6f, 10f, 8f, 2f, 1f, 2), some.crfSetup(ModelCrf.params(tuned)).params());
        assertEquals(new CrfParams(6f, 121f, 5f, 3f, 3f, 2), some.crfSetup(ModelCrf.params(plain)).params());
        assertEquals(ModelCrf.params(tuned), new SegstreamConfig(Map.of()).crfSetup(ModelCrf.params(tuned)).params(),
                "on by default, with the card's parameters");
        assertNull(new SegstreamConfig(Map.of(SegstreamConfig.CRF, "off")).crfSetup(ModelCrf.params(tuned)), "off");
    }

    @Test
    void anInvalidCrfBlockNamesTheCard() throws Exception {
        SharedData.importModel(dir);
        ModelCard card = ModelCard.read(dir.resolve(ModelImporter.CARD_FILE))
                .withCrf(new ModelCard.Crf(3f, -1f, 8f, 2f, 1f, 5, "edited by hand"));
        card.write(dir.resolve(ModelImporter.CARD_FILE));
        ModelException e = assertThrows(ModelException.class,
                () -> ModelCrf.params(ModelCard.read(dir.resolve(ModelImporter.CARD_FILE))));
        assertTrue(e.getMessage().contains(card.id()) && e.getMessage().contains("thetaAlpha"), e.getMessage());
    }
}
