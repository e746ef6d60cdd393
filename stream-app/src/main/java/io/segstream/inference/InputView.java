package io.segstream.inference;

/**
 * One model input made from a frame: the frame region {@code [sx, sx+sw) x [sy, sy+sh)} is
 * resized onto the canvas rectangle {@code [dx, dx+dw) x [dy, dy+dh)} of the model input; the
 * canvas outside it is grey padding. Pixel centres map to pixel centres (half-pixel convention).
 */
public record InputView(int sx, int sy, int sw, int sh, double dx, double dy, double dw, double dh) {
    /** Canvas x of frame x (a column index is its centre). */
    double canvasX(double x) {
        return dx + (x - sx + 0.5) * dw / sw - 0.5;
    }

    double canvasY(double y) {
        return dy + (y - sy + 0.5) * dh / sh - 0.5;
    }

    /** Frame x sampled for the centre of canvas column u. */
    double frameX(int u) {
        return sx + (u - dx + 0.5) * sw / dw - 0.5;
    }

    double frameY(int v) {
        return sy + (v - dy + 0.5) * sh / dh - 0.5;
    }
}
