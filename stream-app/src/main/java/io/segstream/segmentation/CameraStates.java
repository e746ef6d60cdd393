package io.segstream.segmentation;

/**
 * What the segmentation path carries from one frame of a camera to the next (the CRF's warm
 * start), kept by whoever owns the camera: the stream task of its partition in the processor
 * (DESIGN.md, "Contracts": keys and order), a map in {@code segment} and {@code eval}. A cache: the path
 * produces a correct result when {@link #load} finds nothing.
 */
public interface CameraStates {
    /** The state saved for {@code cameraId}, or null. */
    byte[] load(String cameraId);

    void save(String cameraId, byte[] state);

    /** Carries nothing: every frame starts cold. */
    CameraStates NONE = new CameraStates() {
        @Override
        public byte[] load(String cameraId) {
            return null;
        }

        @Override
        public void save(String cameraId, byte[] state) {}
    };

    /** Keeps states in a map, for one process's own cameras (segment, eval). */
    static CameraStates inMemory() {
        java.util.Map<String, byte[]> states = new java.util.HashMap<>();
        return new CameraStates() {
            @Override
            public byte[] load(String cameraId) {
                return states.get(cameraId);
            }

            @Override
            public void save(String cameraId, byte[] state) {
                states.put(cameraId, state);
            }
        };
    }
}
