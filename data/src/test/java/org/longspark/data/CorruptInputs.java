package org.longspark.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Bad inputs made from the real test videos, each with the reason the curator must record.
 * Shared by the data tests and the pipeline's end-to-end tests.
 */
public final class CorruptInputs {
    private CorruptInputs() {
    }

    /** Writes the corrupt files into {@code dir}; returns file name -> expected reason. */
    public static Map<String, RejectReason> write(Path dir) throws IOException {
        Map<String, RejectReason> expected = new LinkedHashMap<>();
        byte[] vtest = Files.readAllBytes(TestVideos.clip("vtest.avi"));
        byte[] box = Files.readAllBytes(TestVideos.clip("box.mp4"));
        byte[] cockatoo = Files.readAllBytes(TestVideos.clip("cockatoo.mp4"));

        Files.write(dir.resolve("zero-bytes.mp4"), new byte[0]);
        expected.put("zero-bytes.mp4", RejectReason.EMPTY_FILE);

        Files.writeString(dir.resolve("notes.mp4"), "this is a text file, not a video\n".repeat(200),
                StandardCharsets.UTF_8);
        expected.put("notes.mp4", RejectReason.NOT_VIDEO);

        byte[] noise = new byte[64 * 1024];
        new SplittableRandom(42).nextBytes(noise);
        Files.write(dir.resolve("noise.avi"), noise);
        expected.put("noise.avi", RejectReason.NOT_VIDEO);

        // AVI keeps its header and index up front: the first 30% decodes, then the stream stops
        // far short of the 795 frames the header declares.
        Files.write(dir.resolve("truncated-vtest.avi"), prefix(vtest, 0.3));
        expected.put("truncated-vtest.avi", RejectReason.TRUNCATED);

        // box.mp4 has its moov index first (byte 32), so a cut file still opens and ends early.
        Files.write(dir.resolve("truncated-box.mp4"), prefix(box, 0.3));
        expected.put("truncated-box.mp4", RejectReason.TRUNCATED);

        // cockatoo.mp4 has its moov index last (byte 720860): without it the container cannot open.
        Files.write(dir.resolve("truncated-cockatoo.mp4"), prefix(cockatoo, 0.5));
        expected.put("truncated-cockatoo.mp4", RejectReason.UNDECODABLE);

        // The stream header's handler and the BITMAPINFOHEADER's compression both say "div3";
        // an unknown FourCC leaves FFmpeg without a decoder.
        byte[] unknownCodec = vtest.clone();
        replaceAll(unknownCodec, "div3", "zq9x", 4096);
        Files.write(dir.resolve("unknown-codec.avi"), unknownCodec);
        expected.put("unknown-codec.avi", RejectReason.UNSUPPORTED_CODEC);

        // 768x576 declared as 40000x576 in the main header and the stream's BITMAPINFOHEADER.
        byte[] huge = vtest.clone();
        ByteBuffer b = ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN);
        int avih = indexOf(huge, "avih", 4096);
        int strf = indexOf(huge, "strf", 4096);
        b.putInt(avih + 8 + 32, 40000);
        b.putInt(strf + 8 + 4, 40000);
        Files.write(dir.resolve("huge-resolution.avi"), huge);
        expected.put("huge-resolution.avi", RejectReason.ABSURD_RESOLUTION);
        return expected;
    }

    private static byte[] prefix(byte[] data, double fraction) {
        byte[] out = new byte[(int) (data.length * fraction)];
        System.arraycopy(data, 0, out, 0, out.length);
        return out;
    }

    private static int indexOf(byte[] data, String ascii, int limit) {
        byte[] needle = ascii.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= Math.min(limit, data.length); i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("no \"" + ascii + "\" in the first " + limit + " bytes");
    }

    private static void replaceAll(byte[] data, String from, String to, int limit) {
        byte[] replacement = to.getBytes(StandardCharsets.US_ASCII);
        int found = 0;
        for (int start = 0; ; found++) {
            int i;
            try {
                i = indexOf(java.util.Arrays.copyOfRange(data, start, Math.min(limit, data.length)), from, limit) + start;
            } catch (IllegalStateException e) {
                break;
            }
            System.arraycopy(replacement, 0, data, i, replacement.length);
            start = i + replacement.length;
        }
        if (found == 0) {
            throw new IllegalStateException("no \"" + from + "\" in the first " + limit + " bytes");
        }
    }
}
