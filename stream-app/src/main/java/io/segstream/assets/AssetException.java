package io.segstream.assets;

/** An asset that could not be found locally nor downloaded and verified. */
public class AssetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AssetException(String message) {
        super(message);
    }

    public AssetException(String message, Throwable cause) {
        super(message, cause);
    }
}
