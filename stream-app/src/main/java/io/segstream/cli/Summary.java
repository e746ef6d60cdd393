package io.segstream.cli;

import io.segstream.model.ModelCard;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Human-readable summaries of results. */
final class Summary {
    private Summary() {}

    /** "person 32.5%, horse 29.8%, background 37.7%": the {@code top} largest classes by pixel count. */
    static String topClasses(long[] pixels, ModelCard card, int top) {
        long total = 0;
        for (long p : pixels) {
            total += p;
        }
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < card.classCount(); c++) {
            if (pixels[c] > 0) {
                order.add(c);
            }
        }
        order.sort((a, b) -> Long.compare(pixels[b], pixels[a]));
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(top, order.size()); i++) {
            int c = order.get(i);
            if (i > 0) {
                s.append(", ");
            }
            s.append(card.classes().get(c)).append(String.format(Locale.ROOT, " %.1f%%", 100.0 * pixels[c] / total));
        }
        return s.toString();
    }
}
