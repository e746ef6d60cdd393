package io.segstream.inference;

import java.util.ArrayList;
import java.util.List;

/** Decides the {@link InputView}s a frame becomes under a {@link FitMode}. */
public final class InputPlanner {
    /** Least overlap between neighbouring tiles, in frame pixels, so objects cut by one tile are whole in another. */
    public static final int MIN_TILE_OVERLAP = 32;

    private InputPlanner() {}

    public static List<InputView> plan(Fit fit, int frameW, int frameH, int modelW, int modelH) {
        switch (fit.mode()) {
            case SQUASH:
                return List.of(new InputView(0, 0, frameW, frameH, 0, 0, modelW, modelH));
            case LETTERBOX:
                return List.of(letterbox(frameW, frameH, modelW, modelH));
            case TILE:
                return tiles(frameW, frameH, modelW, modelH, modelW, modelH);
            case ZOOM:
                return tiles(frameW, frameH, (int) Math.ceil(modelW / fit.zoom()), (int) Math.ceil(modelH / fit.zoom()),
                        modelW, modelH);
            default:
                throw new IllegalArgumentException("unknown fit " + fit);
        }
    }

    private static InputView letterbox(int frameW, int frameH, int modelW, int modelH) {
        double scale = Math.min((double) modelW / frameW, (double) modelH / frameH);
        double dw = frameW * scale;
        double dh = frameH * scale;
        return new InputView(0, 0, frameW, frameH, (modelW - dw) / 2, (modelH - dh) / 2, dw, dh);
    }

    /**
     * Tiles of {@code tileW x tileH} frame pixels (the whole side when the frame is smaller), evenly
     * spread with at least {@link #MIN_TILE_OVERLAP} pixels of overlap (a quarter of the tile for
     * small tiles), each resized onto the whole model input.
     */
    private static List<InputView> tiles(int frameW, int frameH, int tileW, int tileH, int modelW, int modelH) {
        int[] xs = starts(frameW, tileW);
        int[] ys = starts(frameH, tileH);
        int tw = Math.min(frameW, tileW);
        int th = Math.min(frameH, tileH);
        List<InputView> views = new ArrayList<>(xs.length * ys.length);
        for (int y : ys) {
            for (int x : xs) {
                views.add(new InputView(x, y, tw, th, 0, 0, modelW, modelH));
            }
        }
        return views;
    }

    static int[] starts(int length, int tile) {
        if (length <= tile) {
            return new int[] {0};
        }
        int overlap = Math.min(MIN_TILE_OVERLAP, tile / 4);
        int n = (int) Math.ceil((double) (length - overlap) / (tile - overlap));
        int[] starts = new int[n];
        for (int i = 0; i < n; i++) {
            starts[i] = (int) Math.round((double) i * (length - tile) / (n - 1));
        }
        return starts;
    }

    /** "squash", "letterbox", "tile:COLSxROWS" or "zoom:COLSxROWS", for logs and the Mask. */
    public static String describe(Fit fit, List<InputView> views) {
        if (fit.mode() != FitMode.TILE && fit.mode() != FitMode.ZOOM) {
            return fit.mode().name().toLowerCase(java.util.Locale.ROOT);
        }
        long cols = views.stream().mapToInt(InputView::sx).distinct().count();
        return fit.mode().name().toLowerCase(java.util.Locale.ROOT) + ":" + cols + "x" + (views.size() / cols);
    }
}
