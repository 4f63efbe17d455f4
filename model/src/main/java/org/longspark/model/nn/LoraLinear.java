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
 * A LoRA adapter on a frozen Linear: {@code y = base(x) + (alpha / r) B (A x)} with A [r, in]
 * (uniform +-1/sqrt(in)) and B [out, r] (zeros, so training starts from the base model). The
 * base's parameters are frozen (no gradient, no update); only A and B train, and they are saved and
 * loaded on their own, without the base weights.
 */
public final class LoraLinear {
  private static final int FORMAT = 1;

  private final Backend be;
  private final String name;
  private final Linear base;
  private final Linear down;
  private final Linear up;
  private final int rank;
  private final double scale;

  public LoraLinear(ParamFactory f, String name, Linear base, int rank, double alpha) {
    if (rank < 1) {
      throw new IllegalArgumentException(name + ": LoRA rank must be >= 1, got " + rank);
    }
    int[] w = base.weight().shape();
    ParamFactory s = f.scope(name);
    this.be = f.backend();
    this.name = f.nameOf(name);
    this.base = base;
    base.params().forEach(p -> p.setTrainable(false));
    this.down = new Linear(s, "lora_a", w[1], rank, false, LinearPrecision.FULL);
    this.up = new Linear(s, "lora_b", rank, w[0], false, LinearPrecision.FULL);
    if (!f.isCounting()) {
      be.assign(up.weight().value(), be.zeros(w[0], rank));
    }
    this.rank = rank;
    this.scale = alpha / rank;
  }

  /** Saved activations. */
  public record Saved(Backend.LinearForward base, Backend.LinearForward down,
      Backend.LinearForward up, Tensor y) {}

  public Saved forward(Tensor x, long seed) {
    Backend.LinearForward b = base.forward(x, seed);
    Backend.LinearForward d = down.forward(x, seed);
    Backend.LinearForward u = up.forward(d.y(), seed);
    return new Saved(b, d, u, be.add(b.y(), be.scale(u.y(), scale)));
  }

  /** Accumulates the adapter's gradients (the base is frozen); returns dx. */
  public Tensor backward(Saved s, Tensor dy, boolean needDx) {
    Tensor du = up.backward(s.up, be.scale(dy, scale), true);
    Tensor dx = down.backward(s.down, du, needDx);
    Tensor dxBase = base.backward(s.base, dy, needDx);
    return needDx ? be.add(dx, dxBase) : null;
  }

  /** The trainable parameters: A and B. */
  public List<Param> adapterParams() {
    return List.of(down.weight(), up.weight());
  }

  /** Writes the adapter alone: name, rank, scale, A and B. */
  public void write(DataOutput out) throws IOException {
    out.writeInt(FORMAT);
    out.writeUTF(name);
    out.writeInt(rank);
    out.writeDouble(scale);
    for (Param p : adapterParams()) {
      float[] v = be.toFloats(p.value());
      out.writeInt(v.length);
      for (float x : v) {
        out.writeFloat(x);
      }
    }
  }

  /** Loads an adapter written by {@link #write} into this one (same name and shapes). */
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
    for (Param p : adapterParams()) {
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
