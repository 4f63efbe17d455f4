package org.longspark.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Turns one input file into a {@link FileOutcome}: decode, cut into clip windows at shot
 * boundaries, measure and filter each window. Never throws for a bad file: every failure becomes
 * a rejection with its reason, so the caller can account for every input.
 */
public final class VideoCurator {
    private final CurationSettings settings;

    public VideoCurator(CurationSettings settings) {
        this.settings = settings;
    }

    public FileOutcome curate(FileSystem fs, Path path, String caption) {
        String uri = path.toString();
        long decoded = 0;
        long output = 0;
        List<ClipCandidate> kept = new ArrayList<>();
        Map<RejectReason, Integer> dropped = new EnumMap<>(RejectReason.class);
        ClipAssembler assembler = new ClipAssembler(settings.clipFrames(), settings.clipStride(),
                settings.shotThreshold());
        try (VideoReader reader = VideoReader.open(fs, path, settings.frames(), settings.limits())) {
            double fps = settings.frames().fps() > 0 ? settings.frames().fps() : reader.info().sourceFps();
            RgbFrame frame;
            while (kept.size() < settings.maxClipsPerFile() && (frame = reader.next()) != null) {
                output++;
                Optional<ClipWindow> window = assembler.accept(frame);
                if (window.isEmpty()) {
                    continue;
                }
                ClipQuality quality = ClipQuality.measure(window.get().frames());
                RejectReason reason = settings.judge(quality);
                if (reason != null) {
                    dropped.merge(reason, 1, Integer::sum);
                } else {
                    kept.add(candidate(uri, window.get(), fps, caption, quality));
                }
            }
            decoded = reader.decodedFrames();
        } catch (VideoRejectedException e) {
            return FileOutcome.rejected(uri, e.reason(), e.getMessage(), decoded, output);
        } catch (RuntimeException | LinkageError e) {
            // A bug or native failure on one file must not take the job down: quarantine it, loudly.
            return FileOutcome.rejected(uri, RejectReason.UNDECODABLE,
                    uri + ": unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage(), decoded, output);
        }
        String tooShort = uri + ": longest shot has " + assembler.longestShot() + " frames at "
                + settings.frames().fps() + " fps, a clip needs " + settings.clipFrames();
        return FileOutcome.decoded(uri, kept, dropped, tooShort, decoded, output);
    }

    private static ClipCandidate candidate(String uri, ClipWindow window, double fps, String caption,
                                           ClipQuality quality) {
        List<RgbFrame> frames = window.frames();
        RgbFrame first = frames.get(0);
        int frameBytes = first.rgb().length;
        byte[] bytes = new byte[frameBytes * frames.size()];
        for (int i = 0; i < frames.size(); i++) {
            System.arraycopy(frames.get(i).rgb(), 0, bytes, i * frameBytes, frameBytes);
        }
        return new ClipCandidate(clipId(uri, window.startFrame()), uri, window.startFrame(), frames.size(), fps,
                first.height(), first.width(), caption, window.shotIndex(), quality, bytes);
    }

    /** Stable id: the first 12 hex digits of SHA-1(source URI), then the start frame. */
    public static String clipId(String uri, long startFrame) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(uri.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6) + "-" + startFrame;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java runtime", e);
        }
    }
}
