package io.segstream.view;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.codec.MaskLabels;
import io.segstream.schemas.v1.ClassArea;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.ModelInfo;
import java.util.ArrayList;
import java.util.List;

/** The page's figures as JSON: per camera rate, latency, class shares, CRF, skipped and dead-lettered counts. */
final class FiguresJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FiguresJson() {}

    static String of(List<CameraBoard.Figures> cameras, long staleMillis, long ignoredRecords,
            List<Outbox.Figures> browsers) {
        ObjectNode root = JSON.createObjectNode();
        root.put("type", "figures");
        root.put("staleMs", staleMillis);
        root.put("ignoredRecords", ignoredRecords);
        // Per connected browser: messages sent, waiting (at most one per camera), replaced by newer pictures.
        ArrayNode clients = root.putArray("browsers");
        for (Outbox.Figures b : browsers) {
            clients.addObject().put("sent", b.sent()).put("waiting", b.waiting()).put("replaced", b.replaced());
        }
        ArrayNode list = root.putArray("cameras");
        for (CameraBoard.Figures f : cameras) {
            ObjectNode c = list.addObject();
            c.put("camera", f.camera());
            c.put("fps", round(f.framesPerSecond(), 1));
            c.put("latencyMs", round(f.latencyMs(), 1));
            c.put("masks", f.masks());
            c.put("skipped", f.skipped());
            c.put("deadLettered", f.deadLettered());
            c.put("sinceMs", f.sinceLastMaskMs());
            c.put("stopped", f.sinceLastMaskMs() > staleMillis);
            Mask m = f.latest();
            if (m == null) {
                continue; // only skipped masks so far
            }
            c.put("sequence", Long.toUnsignedString(m.getSequence()));
            c.put("width", m.getWidth());
            c.put("height", m.getHeight());
            ObjectNode crf = c.putObject("crf");
            crf.put("applied", m.getCrf().getApplied());
            crf.put("iterations", m.getCrf().getIterations());
            crf.put("warm", m.getCrf().getWarmStart());
            crf.put("coldReason", m.getCrf().getColdStartReason());
            double pixels = Math.max(1.0, (double) m.getWidth() * m.getHeight());
            List<ClassArea> areas = new ArrayList<>(m.getClassAreasList());
            areas.sort((a, b) -> Long.compare(b.getPixels(), a.getPixels()));
            ArrayNode shares = c.putArray("shares");
            for (ClassArea a : areas) {
                shares.addArray().add(a.getClassIndex()).add(round(a.getPixels() / pixels, 4));
            }
            model(c.putObject("model"), m.getModel());
        }
        return root.toString();
    }

    /** The class table, palette and background the page paints with: whatever model the Mask names. */
    static void model(ObjectNode out, ModelInfo model) {
        out.put("id", model.getModelId());
        out.put("engine", model.getEngine());
        out.put("background", MaskLabels.background(model));
        ArrayNode names = out.putArray("classes");
        model.getClassNamesList().forEach(names::add);
        ArrayNode palette = out.putArray("palette");
        model.getPaletteList().forEach(p -> palette.add(String.format("#%06x", p & 0xFFFFFF)));
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
