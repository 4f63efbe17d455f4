package org.longspark.model.nn;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.LinearPrecision;
import org.longspark.model.tensor.Tensor;

/**
 * The low-rank path of LoRA on a Linear of shape [out, in]: {@code delta = (alpha / r) B (A x)} with
 * A [r, in] (uniform +-1/sqrt(in)) and B [out, r] (zeros, so training starts from the base model).
 * Attached to a {@link Linear} by {@link Linear#attachLora}, which freezes the base. Adapters are
 * saved and loaded on their own, without the base weights.
 */
public final class LoraAdapter {
  private static final int FORMAT = 1;

  private final Backend be;
  private final String name;
  private final Linear down;
  private final Linear up;
  private final int rank;
  private final double scale;

  LoraAdapter(ParamFactory f, String name, int in, int out, int rank, double alpha) {
    if (rank < 1) {
      throw new IllegalArgumentException(name + ": LoRA rank must be >= 1, got " + rank);
    }
    ParamFactory s = f.scope(name);
    this.be = f.backend();
    this.name = f.nameOf(name);
    this.down = new Linear(s, "lora_a", in, rank, false, LinearPrecision.FULL);
    this.up = new Linear(s, "lora_b", rank, out, false, LinearPrecision.FULL);
    if (!f.isCounting()) {
      be.assign(up.weight().value(), be.zeros(out, rank));
    }
    this.rank = rank;
    this.scale = alpha / rank;
  }

  /** Saved activations; {@code delta} is the adapter's scaled contribution to the output. */
  public record Saved(Linear.Saved down, Linear.Saved up, Tensor delta) {}

  public Saved forward(Tensor x, long seed) {
    Linear.Saved d = down.forward(x, seed);
    Linear.Saved u = up.forward(d.y(), seed);
    return new Saved(d, u, be.scale(u.y(), scale));
  }

  /** Accumulates dA and dB; returns the adapter's share of dx (null unless needDx). */
  public Tensor backward(Saved s, Tensor dy, boolean needDx) {
    Tensor du = up.backward(s.up, be.scale(dy, scale), true);
    return down.backward(s.down, du, needDx);
  }

  /** The trainable parameters: A and B. */
  public List<Param> params() {
    return List.of(down.weight(), up.weight());
  }

  /** Writes the adapter alone: name, rank, scale, A and B. */
  public void write(DataOutput out) throws IOException {
    out.writeInt(FORMAT);
    out.writeUTF(name);
    out.writeInt(rank);
    out.writeDouble(scale);
    for (Param p : params()) {
      float[] v = be.toFloats(p.value());
      out.writeInt(v.length);
      for (float x : v) {
        out.writeFloat(x);
      }
    }
  }

  /** Loads an adapter written by {@link #write} into this one (same name, rank and scale). */
  public void read(DataInput in) throws IOException {
    int format = in.readInt();
    if (format != FORMAT) {
      throw new IOException("LoRA adapter " + name + ": unknown format " + format);
    }
    String stored = in.readUTF();
    int storedRank = in.readInt();
    double storedScale = in.readDouble();
    if (!stored.equals(name) || storedRank != rank || storedScale != scale) {
      throw new IOException("LoRA adapter " + name + " (rank " + rank + ", scale " + scale
          + ") cannot load " + stored + " (rank " + storedRank + ", scale " + storedScale + ")");
    }
    for (Param p : params()) {
      int n = in.readInt();
      if (n != p.size()) {
        throw new IOException("LoRA adapter " + name + ": " + p.name() + " has " + p.size()
            + " values, the stream " + n + " (" + Arrays.toString(p.shape()) + ")");
      }
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = in.readFloat();
      }
      be.assign(p.value(), be.fromFloats(v, p.shape()));
    }
  }
}
