package org.longspark.data;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

import com.google.gson.JsonObject;

/**
 * A procedural video dataset, deterministic by seed: coloured shapes bouncing over textured
 * backgrounds, each with a caption saying what it shows, written as MPEG-4 files plus a
 * {@code captions.jsonl} sidecar. Besides the bouncing videos it adds one file per curation path so
 * a demo run exercises them all: a static scene, a dark scene, a re-encoded duplicate, a scene cut,
 * and a zero-byte file.
 */
public final class SyntheticDataset {
    /** What a generated file is meant to exercise. */
    public enum Kind { BOUNCING, STATIC, DARK, DUPLICATE, SCENE_CUT, EMPTY }

    /** One generated file. */
    public record Video(String fileName, Kind kind, String caption, int frames) {
    }

    /**
     * @param seed     everything derives from it
     * @param bouncing number of ordinary bouncing-shape videos
     * @param width    frame width (multiple of 8)
     * @param height   frame height (multiple of 8)
     * @param fps      frame rate of the files
     * @param frames   frames per file
     */
    public record Spec(long seed, int bouncing, int width, int height, int fps, int frames) {
        public Spec {
            if (bouncing < 1 || width < 32 || height < 32 || width % 8 != 0 || height % 8 != 0 || fps < 1 || frames < 2) {
                throw new IllegalArgumentException("synthetic spec needs bouncing >= 1, width and height >= 32 and "
                        + "multiples of 8, fps >= 1, frames >= 2; got " + this);
            }
        }
    }

    public static final String CAPTIONS_FILE = "captions.jsonl";

    private static final String[] SHAPES = {"circle", "square", "triangle", "diamond"};
    private static final String[] COLOR_NAMES = {"red", "green", "blue", "yellow", "orange", "purple", "white", "cyan"};
    private static final int[][] COLORS = {
        {220, 40, 40}, {40, 190, 60}, {50, 80, 230}, {240, 220, 40}, {250, 140, 30}, {150, 60, 200}, {245, 245, 245},
        {40, 220, 220}};
    private static final String[] BACKGROUND_NAMES = {"grey", "navy", "olive", "teal", "brown", "sand", "sky", "pink"};
    private static final int[][] BACKGROUNDS = {
        {110, 110, 110}, {30, 40, 90}, {100, 110, 40}, {30, 100, 100}, {100, 70, 40}, {210, 190, 130},
        {120, 170, 230}, {230, 150, 170}};

    static {
        FfmpegLogLevel.apply();
    }

    private SyntheticDataset() {
    }

    /** Writes the dataset into {@code dir} (created if needed) and returns what it wrote. */
    public static List<Video> write(FileSystem fs, Path dir, Spec spec) throws IOException {
        fs.mkdirs(dir);
        List<Video> videos = new ArrayList<>();
        List<Scene> scenes = new ArrayList<>();
        for (int i = 0; i < spec.bouncing(); i++) {
            scenes.add(Scene.random(new SplittableRandom(spec.seed() * 1_000_003L + i), spec, true));
        }
        for (int i = 0; i < scenes.size(); i++) {
            Scene s = scenes.get(i);
            videos.add(encode(fs, dir, spec, String.format(Locale.ROOT, "%02d-%s-%s.mp4", i, s.colorName, s.shape),
                    Kind.BOUNCING, s.caption(), s, null));
        }
        SplittableRandom extra = new SplittableRandom(spec.seed() ^ 0x5DEECE66DL);
        Scene still = Scene.random(extra.split(), spec, false);
        videos.add(encode(fs, dir, spec, "static-" + still.shape + ".mp4", Kind.STATIC, still.caption(), still, null));
        Scene dark = Scene.random(extra.split(), spec, true).darkened();
        videos.add(encode(fs, dir, spec, "dark-" + dark.shape + ".mp4", Kind.DARK, dark.caption(), dark, null));
        Scene first = scenes.get(0);
        videos.add(encode(fs, dir, spec, "zz-copy-of-00.mp4", Kind.DUPLICATE, first.caption(), first, null));
        Scene before = Scene.random(extra.split(), spec, true);
        Scene after = Scene.random(extra.split(), spec, true).withBackgroundOtherThan(before);
        videos.add(encode(fs, dir, spec, "cut-" + before.shape + "-" + after.shape + ".mp4", Kind.SCENE_CUT,
                before.caption() + ", then " + after.caption(), before, after));
        try (OutputStream out = fs.create(new Path(dir, "empty.mp4"), true)) {
            // Zero bytes on purpose: the curation job must quarantine it.
        }
        videos.add(new Video("empty.mp4", Kind.EMPTY, "an empty file", 0));
        writeCaptions(fs, new Path(dir, CAPTIONS_FILE), videos);
        return videos;
    }

    private static Video encode(FileSystem fs, Path dir, Spec spec, String name, Kind kind, String caption,
                                Scene scene, Scene afterCut) throws IOException {
        java.nio.file.Path local = Files.createTempFile("longspark-synthetic-", ".mp4");
        try {
            try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(local.toFile(), spec.width(), spec.height(), 0)) {
                recorder.setFormat("mp4");
                recorder.setVideoCodec(AV_CODEC_ID_MPEG4);
                recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
                recorder.setFrameRate(spec.fps());
                recorder.setGopSize(spec.fps());
                // High bit rate, so the filters see the scene rather than compression artefacts.
                recorder.setVideoBitrate(4_000_000);
                recorder.setVideoOption("threads", "1"); // one thread: byte-identical output for a seed
                recorder.start();
                Frame frame = new Frame(spec.width(), spec.height(), Frame.DEPTH_UBYTE, 3);
                byte[] rgb = new byte[spec.width() * spec.height() * 3];
                for (int t = 0; t < spec.frames(); t++) {
                    Scene s = afterCut != null && t >= spec.frames() / 2 ? afterCut : scene;
                    s.render(t, rgb, spec.width(), spec.height());
                    ((ByteBuffer) frame.image[0]).clear().put(rgb).flip();
                    recorder.record(frame, AV_PIX_FMT_RGB24);
                }
                recorder.stop();
            }
            fs.copyFromLocalFile(false, true, new Path(local.toUri()), new Path(dir, name));
        } finally {
            Files.deleteIfExists(local);
        }
        return new Video(name, kind, caption, spec.frames());
    }

    private static void writeCaptions(FileSystem fs, Path file, List<Video> videos) throws IOException {
        try (OutputStream out = fs.create(file, true)) {
            for (Video v : videos) {
                JsonObject o = new JsonObject();
                o.addProperty("file", v.fileName());
                o.addProperty("caption", v.caption());
                out.write((o + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** A shape on a textured background; positions are a pure function of the frame number. */
    private static final class Scene {
        final String shape;
        final String colorName;
        final int[] color;
        final String backgroundName;
        final int background;
        final int[] bg;
        final double angle;
        final double stripes;
        final double x0;
        final double y0;
        final double vx;
        final double vy;
        final double size;

        private Scene(String shape, String colorName, int[] color, int background, double angle, double stripes,
                      double x0, double y0, double vx, double vy, double size) {
            this.shape = shape;
            this.colorName = colorName;
            this.color = color;
            this.background = background;
            this.backgroundName = background < 0 ? "black" : BACKGROUND_NAMES[background];
            this.bg = background < 0 ? new int[] {6, 6, 8} : BACKGROUNDS[background];
            this.angle = angle;
            this.stripes = stripes;
            this.x0 = x0;
            this.y0 = y0;
            this.vx = vx;
            this.vy = vy;
            this.size = size;
        }

        static Scene random(SplittableRandom r, Spec spec, boolean moving) {
            int c = r.nextInt(COLORS.length);
            double speed = moving ? 0.03 + 0.03 * r.nextDouble() : 0; // fraction of the frame per frame
            double dir = r.nextDouble() * 2 * Math.PI;
            return new Scene(SHAPES[r.nextInt(SHAPES.length)], COLOR_NAMES[c], COLORS[c],
                    r.nextInt(BACKGROUNDS.length), r.nextDouble() * Math.PI, 2 + r.nextInt(5), r.nextDouble(),
                    r.nextDouble(), speed * Math.cos(dir), speed * Math.sin(dir), 0.3 + 0.15 * r.nextDouble());
        }

        Scene darkened() {
            int[] dim = {color[0] / 8, color[1] / 8, color[2] / 8};
            return new Scene(shape, "dim " + colorName, dim, -1, angle, stripes, x0, y0, vx, vy, size);
        }

        /** The same scene on the background farthest in colour from {@code other}'s: a clear cut. */
        Scene withBackgroundOtherThan(Scene other) {
            int best = 0;
            double bestDistance = -1;
            for (int b = 0; b < BACKGROUNDS.length; b++) {
                double d = 0;
                for (int c = 0; c < 3; c++) {
                    d += Math.abs(BACKGROUNDS[b][c] - other.bg[c]);
                }
                if (d > bestDistance) {
                    bestDistance = d;
                    best = b;
                }
            }
            return new Scene(shape, colorName, color, best, angle, stripes, x0, y0, vx, vy, size);
        }

        String caption() {
            String motion = vx == 0 && vy == 0 ? "resting on" : "bouncing around on";
            return "a " + colorName + " " + shape + " " + motion + " a " + backgroundName + " background";
        }

        void render(int t, byte[] rgb, int width, int height) {
            double cx = bounce(x0 + vx * t) * width;
            double cy = bounce(y0 + vy * t) * height;
            double radius = size * Math.min(width, height) / 2;
            double ca = Math.cos(angle);
            double sa = Math.sin(angle);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int i = (y * width + x) * 3;
                    double dx = x - cx;
                    double dy = y - cy;
                    if (inside(dx, dy, radius)) {
                        rgb[i] = (byte) color[0];
                        rgb[i + 1] = (byte) color[1];
                        rgb[i + 2] = (byte) color[2];
                    } else {
                        // Soft stripes give each background its own structure (and perceptual hash).
                        double u = (x * ca + y * sa) / Math.max(width, height);
                        double shade = 0.75 + 0.25 * Math.sin(2 * Math.PI * stripes * u);
                        rgb[i] = (byte) (bg[0] * shade);
                        rgb[i + 1] = (byte) (bg[1] * shade);
                        rgb[i + 2] = (byte) (bg[2] * shade);
                    }
                }
            }
        }

        private boolean inside(double dx, double dy, double r) {
            return switch (shape) {
                case "circle" -> dx * dx + dy * dy <= r * r;
                case "square" -> Math.abs(dx) <= r && Math.abs(dy) <= r;
                case "diamond" -> Math.abs(dx) + Math.abs(dy) <= r;
                default -> dy <= r && dy >= -r && Math.abs(dx) <= (dy + r) / 2; // triangle, apex up
            };
        }

        /** Position in [0,1] of a point moving at constant speed between walls at 0.1 and 0.9. */
        private static double bounce(double p) {
            double span = 0.8;
            double q = ((p - 0.1) % (2 * span) + 2 * span) % (2 * span);
            return 0.1 + (q <= span ? q : 2 * span - q);
        }
    }
}
