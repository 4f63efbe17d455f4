package org.longspark.data;

/** A file that cannot yield clips, with the reason recorded in the quarantine table. */
public final class VideoRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    public VideoRejectedException(RejectReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public VideoRejectedException(RejectReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
