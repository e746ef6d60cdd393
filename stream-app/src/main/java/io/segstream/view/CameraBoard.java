package io.segstream.view;

import io.segstream.codec.MaskLabels;
import io.segstream.schemas.v1.Mask;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the view knows of each camera it has seen: its latest segmented mask, the few frames that
 * mask may still need, where older frames lie on the frames topic, and the figures the page shows.
 * The topic follower writes it, the renderer and the page's statistics read it; each camera is
 * guarded by its own lock. Memory is bounded: {@value #FRAMES_KEPT} frames and
 * {@value #OFFSETS_KEPT} frame offsets per camera, at most {@code maxCameras} cameras.
 */
final class CameraBoard {
    /** Frames kept per camera: those at or after its latest mask, newest kept; earlier ones are dropped. */
    static final int FRAMES_KEPT = 8;
    /** Where older frames lie (sequence to partition and offset), to fetch the frame of a mask that lags. */
    static final int OFFSETS_KEPT = 4096;
    /** Window of the frames/s figure. */
    static final long RATE_WINDOW_MS = 5_000;
    /** Masks whose latency the median covers. */
    static final int LATENCIES_KEPT = 50;

    private final int maxCameras;
    private final Map<String, Camera> cameras = new ConcurrentHashMap<>();
    private final Map<String, Long> deadLetters = new ConcurrentHashMap<>();
    private final AtomicLong ignoredRecords = new AtomicLong();
    /** Bumped whenever any camera has a new mask: the renderer waits on it. */
    private final Object changed = new Object();
    private long changes;

    CameraBoard(int maxCameras) {
        this.maxCameras = maxCameras;
    }

    /** Where a frame lies on the frames topic. */
    record FrameRef(int partition, long offset) {}

    /** One camera's latest mask with the frame it belongs to (or where that frame lies), and its version. */
    record Latest(String camera, Mask mask, long version, byte[] frame, FrameRef frameRef) {}

    /** A camera's figures at one moment, for the page. */
    record Figures(String camera, Mask latest, double framesPerSecond, double latencyMs, long masks, long skipped,
            long deadLettered, long sinceLastMaskMs) {}

    /** A frame record of camera {@code id}, at {@code partition} and {@code offset} of the frames topic. */
    void frame(String id, long sequence, byte[] value, int partition, long offset) {
        Camera c = camera(id);
        if (c != null) {
            c.addFrame(sequence, value, new FrameRef(partition, offset));
        }
    }

    /**
     * A mask record of camera {@code id}, seen at {@code seenMillis} (its record timestamp while the
     * view catches up on older records, else now).
     */
    void mask(String id, Mask mask, long seenMillis, boolean live) {
        Camera c = camera(id);
        if (c == null) {
            return;
        }
        if (c.addMask(mask, seenMillis, live)) {
            synchronized (changed) {
                changes++;
                changed.notifyAll();
            }
        }
    }

    /** A dead-lettered record whose key was {@code key} (the camera id a valid frame would have had). */
    void deadLetter(String key) {
        if (key == null) {
            ignoredRecords.incrementAndGet();
            return;
        }
        if (deadLetters.size() >= 4 * maxCameras && !deadLetters.containsKey(key)) {
            ignoredRecords.incrementAndGet();
            return;
        }
        deadLetters.merge(key, 1L, Long::sum);
    }

    /** A record the view could not read (not a Frame or a Mask): counted, not shown. */
    void unreadable() {
        ignoredRecords.incrementAndGet();
    }

    long ignoredRecords() {
        return ignoredRecords.get();
    }

    /** Waits until some camera has a mask newer than {@code seen} changes, at most {@code millis}; the new count. */
    long awaitChange(long seen, long millis) throws InterruptedException {
        synchronized (changed) {
            if (changes == seen) {
                changed.wait(millis);
            }
            return changes;
        }
    }

    /** Each camera's latest mask newer than the version given for it in {@code rendered}. */
    List<Latest> newerThan(Map<String, Long> rendered) {
        List<Latest> out = new ArrayList<>();
        for (Camera c : cameras.values()) {
            Latest latest = c.latest();
            if (latest != null && latest.version() > rendered.getOrDefault(c.id, 0L)) {
                out.add(latest);
            }
        }
        return out;
    }

    /** Every camera's figures, sorted by camera id. */
    List<Figures> figures(long nowMillis) {
        List<Figures> out = new ArrayList<>();
        for (Camera c : cameras.values()) {
            out.add(c.figures(nowMillis, deadLetters.getOrDefault(c.id, 0L)));
        }
        out.sort((a, b) -> a.camera().compareTo(b.camera()));
        return out;
    }

    private Camera camera(String id) {
        Camera c = cameras.get(id);
        if (c != null) {
            return c;
        }
        if (cameras.size() >= maxCameras) {
            ignoredRecords.incrementAndGet();
            return null;
        }
        return cameras.computeIfAbsent(id, Camera::new);
    }

    private static final class Camera {
        final String id;
        private final LinkedHashMap<Long, byte[]> frames = new LinkedHashMap<>();
        private final LinkedHashMap<Long, FrameRef> offsets = new LinkedHashMap<>();
        private final ArrayDeque<Long> maskTimes = new ArrayDeque<>();
        private final ArrayDeque<Long> latenciesUs = new ArrayDeque<>();
        private Mask latest;
        private long version;
        private long lastSeenMillis;
        private long masks;
        private long skipped;

        Camera(String id) {
            this.id = id;
        }

        synchronized void addFrame(long sequence, byte[] value, FrameRef ref) {
            if (latest != null && Long.compareUnsigned(sequence, latest.getSequence()) < 0) {
                offsets.put(sequence, ref); // older than what is shown: only its place is worth keeping
            } else {
                frames.put(sequence, value);
                offsets.put(sequence, ref);
            }
            trim(frames, FRAMES_KEPT);
            trim(offsets, OFFSETS_KEPT);
        }

        /** True when the mask replaced the camera's latest picture. */
        synchronized boolean addMask(Mask mask, long seenMillis, boolean live) {
            masks++;
            lastSeenMillis = Math.max(lastSeenMillis, seenMillis);
            if (live) {
                maskTimes.addLast(seenMillis);
            }
            if (MaskLabels.skipped(mask.getStatus())) {
                skipped++;
                return false;
            }
            if (mask.getTimings().getEndToEndUs() > 0) {
                latenciesUs.addLast(mask.getTimings().getEndToEndUs());
                while (latenciesUs.size() > LATENCIES_KEPT) {
                    latenciesUs.removeFirst();
                }
            }
            if (latest != null && Long.compareUnsigned(mask.getSequence(), latest.getSequence()) < 0) {
                return false; // a replay of older masks: the picture stays the newest one
            }
            latest = mask;
            version++;
            // Frames before this mask's can no longer be shown.
            frames.keySet().removeIf(seq -> Long.compareUnsigned(seq, mask.getSequence()) < 0);
            return true;
        }

        synchronized Latest latest() {
            if (latest == null) {
                return null;
            }
            long seq = latest.getSequence();
            return new Latest(id, latest, version, frames.get(seq), offsets.get(seq));
        }

        synchronized Figures figures(long nowMillis, long deadLettered) {
            while (!maskTimes.isEmpty() && maskTimes.peekFirst() < nowMillis - RATE_WINDOW_MS) {
                maskTimes.removeFirst();
            }
            double fps = maskTimes.size() < 2 ? 0
                    : (maskTimes.size() - 1) * 1000.0 / Math.max(1, nowMillis - maskTimes.peekFirst());
            return new Figures(id, latest, fps, medianMs(latenciesUs), masks, skipped, deadLettered,
                    Math.max(0, nowMillis - lastSeenMillis));
        }

        private static double medianMs(ArrayDeque<Long> values) {
            if (values.isEmpty()) {
                return 0;
            }
            long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
            return sorted[sorted.length / 2] / 1e3;
        }

        private static <V> void trim(LinkedHashMap<Long, V> map, int keep) {
            Iterator<Long> it = map.keySet().iterator();
            while (map.size() > keep && it.hasNext()) {
                it.next();
                it.remove();
            }
        }
    }
}
