package org.longspark.model.text;

import java.util.Arrays;
import java.util.Locale;

/**
 * Lower-cased words (runs of letters and digits) hashed into a fixed vocabulary: id 0 is padding,
 * words map to 1 + FNV-1a(word) mod (vocab - 1). Sequences are truncated or padded to maxTokens.
 */
public final class WordTokenizer {
  public static final int PAD = 0;
  private final int vocab;
  private final int maxTokens;

  public WordTokenizer(int vocab, int maxTokens) {
    if (vocab < 2 || maxTokens < 1) {
      throw new IllegalArgumentException(
          "tokenizer needs vocab >= 2 and maxTokens >= 1, got " + vocab + ", " + maxTokens);
    }
    this.vocab = vocab;
    this.maxTokens = maxTokens;
  }

  public int[] encode(String text) {
    int[] ids = new int[maxTokens];
    Arrays.fill(ids, PAD);
    int n = 0;
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (word.isEmpty()) {
        continue;
      }
      if (n == maxTokens) {
        break;
      }
      ids[n++] = 1 + Math.floorMod(fnv1a(word), vocab - 1);
    }
    return ids;
  }

  private static int fnv1a(String s) {
    int h = 0x811c9dc5;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x01000193;
    }
    return h;
  }

  public int maxTokens() {
    return maxTokens;
  }
}
