package org.longspark.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.longspark.model.tensor.Backend;

/**
 * The same DiT block as {@link DitBlock}, written directly in DJL NDArray operations so that DJL's
 * autograd (libtorch's) can differentiate it: the oracle for the explicit backward and the baseline
 * of the benchmark. Single-threaded use only (DJL's grad mode is process-wide). Scalars are NDArrays,
 * never {@code mul(Number)} (DESIGN.md: DJL 0.36 scalar ops can corrupt gradients).
 */
public final class AutogradDitBlock {
  private final NDManager manager;
  private final DataType type;
  private final int dim;
  private final int heads;
  private final double eps;
  private final Map<String, NDArray> params = new LinkedHashMap<>();
  /** Applied to every Linear's input and weight (identity, or NVFP4 fake quantization). */
  private final UnaryOperator<NDArray> quantizeInput;
  private final UnaryOperator<NDArray> quantizeWeight;

  /** Copies the values of the block's parameters (named {@code prefix + ...}) into new arrays. */
  public AutogradDitBlock(NDManager manager, DataType type, Backend be, List<Param> blockParams,
      String prefix, int dim, int heads, double eps, UnaryOperator<NDArray> quantizeInput,
      UnaryOperator<NDArray> quantizeWeight) {
    this.manager = manager;
    this.type = type;
    this.dim = dim;
    this.heads = heads;
    this.eps = eps;
    this.quantizeInput = quantizeInput;
    this.quantizeWeight = quantizeWeight;
    for (Param p : blockParams) {
      long[] shape = new long[p.shape().length];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = p.shape()[i];
      }
      NDArray a = type == DataType.FLOAT64
          ? manager.create(be.toDoubles(p.value()), new Shape(shape))
          : manager.create(be.toFloats(p.value()), new Shape(shape));
      a.setRequiresGradient(true);
      params.put(p.name().substring(prefix.length()), a);
    }
  }

  public Map<String, NDArray> params() {
    return params;
  }

  private NDArray scalar(double v) {
    return type == DataType.FLOAT64 ? manager.create(v) : manager.create((float) v);
  }

  private NDArray p(String name) {
    NDArray a = params.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no block parameter " + name + " in " + params.keySet());
    }
    return a;
  }

  private NDArray linear(NDArray x, String name) {
    NDArray xq = quantizeInput.apply(x);
    NDArray wq = quantizeWeight.apply(p(name + ".weight"));
    return xq.getNDArrayInternal().linear(xq, wq, p(name + ".bias")).singletonOrThrow();
  }

  private NDArray layerNorm(NDArray x, String affine) {
    NDArray w = affine == null ? scalar(1).broadcast(dim) : p(affine + ".weight");
    NDArray b = affine == null ? scalar(0).broadcast(dim) : p(affine + ".bias");
    return x.getNDArrayInternal().layerNorm(x, new Shape(dim), w, b, (float) eps)
        .singletonOrThrow();
  }

  private NDArray rmsNorm(NDArray x, String name) {
    NDArray rms = x.square().mean(new int[] {-1}, true).add(scalar(eps)).sqrt();
    return x.div(rms).mul(p(name + ".weight"));
  }

  private NDArray gelu(NDArray x) {
    NDArray inner = x.add(x.mul(x).mul(x).mul(scalar(0.044715)))
        .mul(scalar(Math.sqrt(2 / Math.PI)));
    return x.mul(inner.tanh().add(scalar(1))).mul(scalar(0.5));
  }

  private NDArray heads(NDArray x) {
    long[] s = x.getShape().getShape();
    return x.reshape(s[0], s[1], heads, dim / heads).transpose(0, 2, 1, 3);
  }

  private NDArray merge(NDArray x) {
    long[] s = x.getShape().getShape();
    return x.transpose(0, 2, 1, 3).reshape(s[0], s[2], dim);
  }

  private NDArray rope(NDArray x, NDArray cos, NDArray sin) {
    long[] s = x.getShape().getShape();
    NDArray pairs = x.reshape(s[0], s[1], s[2], s[3] / 2, 2);
    NDArray x0 = pairs.get("..., 0");
    NDArray x1 = pairs.get("..., 1");
    NDArray y0 = x0.mul(cos).sub(x1.mul(sin));
    NDArray y1 = x0.mul(sin).add(x1.mul(cos));
    return NDArrays.stack(new NDList(y0, y1), 4).reshape(x.getShape());
  }

  private NDArray attention(NDArray xq, NDArray xkv, String name, NDArray cos, NDArray sin,
      NDArray bias) {
    NDArray q = heads(rmsNorm(linear(xq, name + ".q"), name + ".norm_q"));
    NDArray k = heads(rmsNorm(linear(xkv, name + ".k"), name + ".norm_k"));
    NDArray v = heads(linear(xkv, name + ".v"));
    if (cos != null) {
      q = rope(q, cos, sin);
      k = rope(k, cos, sin);
    }
    NDArray s = q.matMul(k.transpose(0, 1, 3, 2)).mul(scalar(1 / Math.sqrt((double) dim / heads)));
    if (bias != null) {
      s = s.add(bias);
    }
    return linear(merge(s.softmax(3).matMul(v)), name + ".o");
  }

  /** The block on x [B, L, D] with e0 [B, F, 6D], text [B, Lt, D], RoPE tables, mask bias. */
  public NDArray forward(NDArray x, NDArray e0, NDArray text, NDArray cos, NDArray sin,
      NDArray bias, int frames) {
    long b = x.getShape().get(0);
    long len = x.getShape().get(1);
    long perFrame = len / frames;
    NDArray mod = e0.reshape(b, frames, 6, dim).add(p("modulation.table"));
    NDArray[] c = new NDArray[6];
    for (int i = 0; i < 6; i++) {
      c[i] = mod.get(":, :, " + i + ":" + (i + 1) + ", :");
    }
    Shape framed = new Shape(b, frames, perFrame, dim);
    Shape flat = new Shape(b, len, dim);
    NDArray m1 = layerNorm(x, null).reshape(framed).mul(c[1].add(scalar(1))).add(c[0])
        .reshape(flat);
    NDArray sa = attention(m1, m1, "self_attn", cos, sin, bias);
    NDArray x1 = x.add(sa.reshape(framed).mul(c[2]).reshape(flat));
    NDArray x2 = x1.add(attention(layerNorm(x1, "norm3"), text, "cross_attn", null, null, null));
    NDArray m2 = layerNorm(x2, null).reshape(framed).mul(c[4].add(scalar(1))).add(c[3])
        .reshape(flat);
    NDArray ff = linear(gelu(linear(m2, "ffn.up")), "ffn.down");
    return x2.add(ff.reshape(framed).mul(c[5]).reshape(flat));
  }
}
