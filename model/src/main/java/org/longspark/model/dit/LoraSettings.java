package org.longspark.model.dit;

import java.util.List;

/**
 * LoRA tuning: adapters of rank {@code rank} and scale {@code alpha / rank} on every Linear of the
 * DiT blocks whose layer path contains one of {@code targets} (e.g. "self_attn", "cross_attn",
 * "ffn"); everything else is frozen. Rank 0 turns LoRA off (full fine-tuning).
 */
public record LoraSettings(int rank, double alpha, List<String> targets) {
  public static final LoraSettings OFF = new LoraSettings(0, 1, List.of());

  public LoraSettings {
    targets = List.copyOf(targets);
    if (rank < 0) {
      throw new IllegalArgumentException("LoRA rank must be >= 0, got " + rank);
    }
    if (rank > 0 && targets.isEmpty()) {
      throw new IllegalArgumentException("LoRA rank " + rank + " needs at least one target");
    }
  }

  public boolean enabled() {
    return rank > 0;
  }

  /** Whether a Linear (by its full name, e.g. blocks.3.self_attn.q) gets an adapter. */
  public boolean targets(String linearName) {
    if (!linearName.startsWith("blocks.") || linearName.contains(".lora_")) {
      return false;
    }
    for (String t : targets) {
      if (linearName.contains("." + t + ".")) {
        return true;
      }
    }
    return false;
  }
}
