package org.longspark.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;

/**
 * Captions per video: from a sidecar file mapping file names to captions, else derived from the
 * file name ({@code red_ball-bouncing.mp4} -> "red ball bouncing").
 *
 * <p>Sidecars: JSON lines ({@code .jsonl}) of {@code {"file": "clip.mp4", "caption": "..."}}, or
 * CSV ({@code .csv}) with a header row {@code file,caption} and RFC 4180 quoting. {@code file} is
 * the file name or a path ending in it; matching uses the file name.
 */
public final class CaptionIndex implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, String> byFileName;

    private CaptionIndex(Map<String, String> byFileName) {
        this.byFileName = byFileName;
    }

    public static CaptionIndex empty() {
        return new CaptionIndex(Map.of());
    }

    /** Reads a sidecar; errors name the file and line. */
    public static CaptionIndex load(FileSystem fs, Path sidecar) throws IOException {
        String name = sidecar.getName().toLowerCase(Locale.ROOT);
        boolean jsonl = name.endsWith(".jsonl") || name.endsWith(".json");
        if (!jsonl && !name.endsWith(".csv")) {
            throw new IOException("caption sidecar " + sidecar + " must end in .jsonl or .csv");
        }
        Map<String, String> map = new HashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(sidecar), StandardCharsets.UTF_8))) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank() || (!jsonl && lineNo == 1)) {
                    continue;
                }
                String[] entry = jsonl ? jsonEntry(line, sidecar, lineNo) : csvEntry(line, sidecar, lineNo);
                map.put(new Path(entry[0]).getName(), entry[1]);
            }
        }
        return new CaptionIndex(Map.copyOf(map));
    }

    public int size() {
        return byFileName.size();
    }

    /** The sidecar caption for the file, else one derived from its name. */
    public String captionFor(String uri) {
        String fileName = new Path(uri).getName();
        String caption = byFileName.get(fileName);
        return caption != null ? caption : fromFileName(fileName);
    }

    /** "big_buck-bunnyTrailer.1080p.mp4" -> "big buck bunny trailer 1080p". */
    public static String fromFileName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
        String words = stem.replaceAll("([a-z])([A-Z])", "$1 $2")
                .replaceAll("[_\\-.+\\s]+", " ")
                .trim()
                .toLowerCase(Locale.ROOT);
        return words.isEmpty() ? "video" : words;
    }

    private static String[] jsonEntry(String line, Path sidecar, int lineNo) throws IOException {
        try {
            JsonElement element = JsonParser.parseString(line);
            if (!element.isJsonObject()) {
                throw new IOException(sidecar + " line " + lineNo + ": expected a JSON object");
            }
            JsonObject o = element.getAsJsonObject();
            return new String[] {field(o, "file", sidecar, lineNo), field(o, "caption", sidecar, lineNo)};
        } catch (JsonSyntaxException | IllegalStateException e) {
            throw new IOException(sidecar + " line " + lineNo + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    private static String field(JsonObject o, String key, Path sidecar, int lineNo) throws IOException {
        JsonElement v = o.get(key);
        if (v == null || !v.isJsonPrimitive()) {
            throw new IOException(sidecar + " line " + lineNo + ": missing string field \"" + key + "\"");
        }
        return v.getAsString();
    }

    private static String[] csvEntry(String line, Path sidecar, int lineNo) throws IOException {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        if (quoted || cells.size() != 2) {
            throw new IOException(sidecar + " line " + lineNo + ": expected 2 CSV cells (file,caption), got "
                    + (quoted ? "an unterminated quote" : cells.size() + " cells"));
        }
        return new String[] {cells.get(0).trim(), cells.get(1).trim()};
    }
}
