package io.segstream.data;

/** An asset that could not be found locally nor downloaded and verified. */
public class AssetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final boolean unreachable;

    public AssetException(String message) {
        this(message, "", false, null);
    }

    public AssetException(String message, Throwable cause) {
        this(message, "", false, cause);
    }

    /**
     * @param reason what went wrong with this file
     * @param hint what the user can do about it (may be empty)
     * @param unreachable the download source could not be reached at all (not worth trying again now)
     */
    public AssetException(String reason, String hint, boolean unreachable, Throwable cause) {
        super(hint.isEmpty() ? reason : reason + " " + hint, cause);
        this.reason = reason;
        this.unreachable = unreachable;
    }

    /** What went wrong, without advice. */
    public String reason() {
        return reason;
    }

    /** True when the download source could not be reached (rather than answering wrongly). */
    public boolean unreachable() {
        return unreachable;
    }
}
