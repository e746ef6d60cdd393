package io.segstream.inference;

import java.util.ArrayList;
import java.util.List;

/** Decides the {@link InputView}s a frame becomes under a {@link FitMode}. */
public final class InputPlanner {
    /** Least overlap between neighbouring tiles, in frame pixels, so objects cut by one tile are whole in another. */
    public static final int MIN_TILE_OVERLAP = 32;

    private InputPlanner() {}

    public static List<InputView> plan(FitMode fit, int frameW, int frameH, int modelW, int modelH) {
        switch (fit) {
            case SQUASH:
                return List.of(new InputView(0, 0, frameW, frameH, 0, 0, modelW, modelH));
            case LETTERBOX:
                return List.of(letterbox(frameW, frameH, modelW, modelH));
            case TILE:
                return tiles(frameW, frameH, modelW, modelH);
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

    /** Native-resolution tiles (model-size, or the whole side when the frame is smaller), evenly spread. */
    private static List<InputView> tiles(int frameW, int frameH, int modelW, int modelH) {
        int[] xs = starts(frameW, modelW);
        int[] ys = starts(frameH, modelH);
        int tw = Math.min(frameW, modelW);
        int th = Math.min(frameH, modelH);
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
        int n = (int) Math.ceil((double) (length - MIN_TILE_OVERLAP) / (tile - MIN_TILE_OVERLAP));
        int[] starts = new int[n];
        for (int i = 0; i < n; i++) {
            starts[i] = (int) Math.round((double) i * (length - tile) / (n - 1));
        }
        return starts;
    }

    /** "squash", "letterbox" or "tile:COLSxROWS", for logs and the Mask. */
    public static String describe(FitMode resolved, List<InputView> views) {
        if (resolved != FitMode.TILE) {
            return resolved.name().toLowerCase(java.util.Locale.ROOT);
        }
        long cols = views.stream().mapToInt(InputView::sx).distinct().count();
        return "tile:" + cols + "x" + (views.size() / cols);
    }
}
