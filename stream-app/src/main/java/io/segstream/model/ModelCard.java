package io.segstream.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the pipeline needs to know about a model besides its ONNX graph (DESIGN.md, "Contracts"):
 * classes and palette, input size, layout, channel order and normalisation, and the logits
 * output with its stride and the bilinear alignment its authors trained with, and the dense CRF's
 * parameters measured for it (absent: DeepLab v2's). Written by {@code segstream model import} as
 * model.json beside model.onnx.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCard(
        String name,
        String id,
        List<String> classes,
        List<String> palette,
        Integer background,
        Input input,
        Output output,
        Source source,
        Crf crf) {

    /** True when class {@code c} is the "nothing here" class that overlays leave clear. */
    public boolean isBackground(int c) {
        return background != null && background == c;
    }

    /** Tensor layouts: where the channel (or class) axis is. */
    public enum Layout { NHWC, NCHW }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Input(String name, int width, int height, Layout layout, String channelOrder,
            float[] mean, float[] std) {
        /** Model input value of channel c for an 8-bit sample. */
        public float normalise(int c, float sample) {
            return (sample - mean[c]) / std[c];
        }

        public boolean bgr() {
            return "BGR".equalsIgnoreCase(channelOrder);
        }

        /** One input's tensor shape without the batch dimension. */
        public long[] itemShape() {
            return layout == Layout.NHWC ? new long[] {height, width, 3} : new long[] {3, height, width};
        }
    }

    /**
     * The logits output: NCHW, {@code classes} x height x width, at {@code stride} input pixels per
     * logit. {@code alignCorners}: logits span the input corner to corner (TensorFlow's DeepLab,
     * input size = stride x k + 1); otherwise they are upsampled "asymmetric" as ONNX's Upsample does.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Output(String name, int classes, int width, int height, int stride, boolean alignCorners) {}

    /**
     * Where the model came from. {@code precision}: "float32" (a float graph, or an 8-bit file with its
     * weights dequantised), or "int8" (QuantizeLinear/DequantizeLinear around 8-bit weights and
     * activations, run by int8 kernels).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Source(String file, String sha256, String importedBy, String format, String precision) {}

    /**
     * The dense CRF's parameters for this model's logits, in DeepLab's form (appearance kernel
     * {@code w1}, {@code thetaAlpha} px, {@code thetaBeta} levels; smoothness {@code w2},
     * {@code thetaGamma} px; at most {@code iterations} mean-field iterations), and what they were
     * chosen on ({@code basis}, for people reading the card). The crf.* settings override each.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Crf(float w1, float thetaAlpha, float thetaBeta, float w2, float thetaGamma, int iterations,
            String basis) {}

    /** This card with {@code crf} as its CRF parameters. */
    public ModelCard withCrf(Crf crf) {
        return new ModelCard(name, id, classes, palette, background, input, output, source, crf);
    }

    public int classCount() {
        return classes.size();
    }

    /** Palette entry of a class as 0xRRGGBB. */
    public int rgb(int classIndex) {
        return Integer.parseInt(palette.get(classIndex).substring(1), 16);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static ModelCard read(Path file) {
        try {
            return JSON.readValue(file.toFile(), ModelCard.class);
        } catch (IOException e) {
            throw new ModelException("cannot read model card " + file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(this) + System.lineSeparator());
    }
}
