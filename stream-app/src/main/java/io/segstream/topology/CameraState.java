package io.segstream.topology;

/**
 * What a stage carries from one frame of a camera to the next (the CRF's warm start), held by the
 * stream task that owns the camera's partition (DESIGN.md, "Keys and order"). A cache: a stage
 * must produce a correct mask when {@link #load} finds nothing.
 */
public interface CameraState {
    /** The state saved for {@code cameraId}, or null. */
    byte[] load(String cameraId);

    void save(String cameraId, byte[] state);

    /** Carries nothing. */
    CameraState NONE = new CameraState() {
        @Override
        public byte[] load(String cameraId) {
            return null;
        }

        @Override
        public void save(String cameraId, byte[] state) {}
    };
}
