package io.segstream.segmentation;

import io.segstream.crf.CrfParams;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelException;

/** A model's own CRF parameters: its card's crf block, else DeepLab v2's published ones. */
public final class ModelCrf {
    private ModelCrf() {}

    /** The card's parameters, or {@link CrfParams#DEEPLAB} for a card without them. */
    public static CrfParams params(ModelCard card) {
        ModelCard.Crf c = card.crf();
        if (c == null) {
            return CrfParams.DEEPLAB;
        }
        try {
            return new CrfParams(c.w1(), c.thetaAlpha(), c.thetaBeta(), c.w2(), c.thetaGamma(), c.iterations());
        } catch (IllegalArgumentException e) {
            throw new ModelException("model card " + card.id() + ": its crf block is invalid: " + e.getMessage(), e);
        }
    }

    /** Where {@link #params} came from, for start-up lines: "the model card's" or "DeepLab v2's". */
    public static String source(ModelCard card) {
        return card.crf() == null ? "DeepLab v2's" : "the model card's";
    }
}
