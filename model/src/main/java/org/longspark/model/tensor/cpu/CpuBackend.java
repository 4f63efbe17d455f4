package org.longspark.model.tensor.cpu;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.longspark.model.tensor.AdamWStep;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.LinearPrecision;
import org.longspark.model.tensor.Tensor;

/**
 * {@link Backend} on DJL NDArray with the libtorch CPU engine. Grad mode is never switched on: every
 * backward is written out with plain NDArray operations.
 *
 * <p>Memory: libtorch puts an operation's result in the manager of its first operand. Persistent
 * tensors live in the root manager; {@link #openStep()} temp-attaches all of them to a fresh
 * sub-manager, so every result (and every temporary inside an operation) of that step lands in the
 * sub-manager and is freed when the step closes, while the persistent ones go back to the root.
 */
public final class CpuBackend implements Backend {
  private static final int MASKED = Integer.MIN_VALUE;

  private final DType dtype;
  private final DataType dataType;
  private final NDManager root;
  // By identity: DJL's NDArray equals/hashCode compare contents (all-zero moments would collapse).
  private final Set<NDArray> persistent = Collections.newSetFromMap(new IdentityHashMap<>());
  private NDManager stepManager;

  /**
   * A backend for the calling thread. libtorch's grad mode is per thread and on in every thread
   * but the one that loaded the engine (a Spark task's, a rank's); explicit backward needs it off,
   * so the constructor turns it off for this thread. A GradientCollector opened later turns it on
   * again, and {@link #openStep()} then refuses.
   */
  public CpuBackend(DType dtype) {
    this.dtype = dtype;
    this.dataType = dtype == DType.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
    this.root = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    JniUtils.setGradMode(false);
  }

  /** A float32 backend for the calling thread. */
  public CpuBackend() {
    this(DType.FLOAT32);
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  // ---------------------------------------------------------------- tensors and scopes

  private NDManager current() {
    return stepManager != null ? stepManager : root;
  }

  /** Registers a new result: persistent outside a step, step-owned inside one. */
  private CpuTensor wrap(NDArray a) {
    if (stepManager == null) {
      persistent.add(a);
    } else if (a.getManager() != stepManager) {
      a.attach(stepManager);
    }
    return new CpuTensor(a);
  }

  private static NDArray nd(Tensor t) {
    if (t == null) {
      return null;
    }
    if (!(t instanceof CpuTensor c)) {
      throw new IllegalArgumentException("not a CPU tensor: " + t);
    }
    return c.array;
  }

  private static Shape shapeOf(int... dims) {
    long[] s = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
      }
      s[i] = dims[i];
    }
    return new Shape(s);
  }

  private static void checkLength(long length, int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    if (n != length) {
      throw new IllegalArgumentException(
          "data of length " + length + " does not fit shape " + Arrays.toString(shape));
    }
  }

  @Override
  public Tensor fromFloats(float[] data, int... shape) {
    checkLength(data.length, shape);
    if (dtype == DType.FLOAT32) {
      return wrap(current().create(data, shapeOf(shape)));
    }
    double[] d = new double[data.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = data[i];
    }
    return wrap(current().create(d, shapeOf(shape)));
  }

  @Override
  public Tensor fromDoubles(double[] data, int... shape) {
    checkLength(data.length, shape);
    if (dtype == DType.FLOAT64) {
      return wrap(current().create(data, shapeOf(shape)));
    }
    float[] f = new float[data.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) data[i];
    }
    return wrap(current().create(f, shapeOf(shape)));
  }

  @Override
  public Tensor zeros(int... shape) {
    return wrap(current().zeros(shapeOf(shape), dataType));
  }

  @Override
  public float[] toFloats(Tensor t) {
    return floats(nd(t));
  }

  static float[] floats(NDArray a) {
    if (a.getDataType() == DataType.FLOAT32) {
      return a.toFloatArray();
    }
    try (NDArray c = a.toType(DataType.FLOAT32, true)) {
      return c.toFloatArray();
    }
  }

  @Override
  public double[] toDoubles(Tensor t) {
    NDArray a = nd(t);
    if (a.getDataType() == DataType.FLOAT64) {
      return a.toDoubleArray();
    }
    try (NDArray c = a.toType(DataType.FLOAT64, true)) {
      return c.toDoubleArray();
    }
  }

  @Override
  public void assign(Tensor dst, Tensor src) {
    NDArray d = nd(dst);
    NDArray s = nd(src);
    if (!d.getShape().equals(s.getShape())) {
      throw new IllegalArgumentException(
          "assign: shape " + s.getShape() + " into " + d.getShape());
    }
    ByteBuffer bytes = s.toByteBuffer();
    d.set(bytes);
  }

  @Override
  public Step openStep() {
    if (stepManager != null) {
      throw new IllegalStateException("a step is already open on this backend");
    }
    if (JniUtils.isGradMode()) {
      // libtorch's grad mode is process-wide in DJL: on, every op here would record a graph
      throw new IllegalStateException("DJL grad mode is on (a GradientCollector is open in this "
          + "JVM); explicit-backward training runs with it off");
    }
    NDManager sub = root.newSubManager();
    sub.tempAttachAll(persistent.toArray(new NDArray[0]));
    stepManager = sub;
    return () -> {
      stepManager = null;
      sub.close();
    };
  }

  /** Number of live persistent tensors (a test hook for leak checks). */
  public int persistentCount() {
    return persistent.size();
  }

  /** Arrays the root DJL manager holds, whether registered here or not (a leak-check hook). */
  public int rootArrayCount() {
    return root.getManagedArrays().size();
  }

  @Override
  public void close() {
    persistent.clear();
    root.close();
  }

  // ---------------------------------------------------------------- layout

  @Override
  public Tensor reshape(Tensor t, int... shape) {
    return wrap(nd(t).reshape(shapeOf(shape)));
  }

  @Override
  public Tensor permute(Tensor t, int... axes) {
    return wrap(nd(t).transpose(axes));
  }

  @Override
  public Tensor concat(Tensor[] parts, int axis) {
    NDList list = new NDList(parts.length);
    for (Tensor p : parts) {
      list.add(nd(p));
    }
    return wrap(NDArrays.concat(list, axis));
  }

  @Override
  public Tensor slice(Tensor t, int axis, int from, int to) {
    NDArray a = nd(t);
    int rank = a.getShape().dimension();
    int ax = axis < 0 ? rank + axis : axis;
    long n = a.getShape().get(ax);
    if (from < 0 || to > n || from >= to) {
      throw new IllegalArgumentException(
          "slice [" + from + ", " + to + ") out of axis " + ax + " of " + a.getShape());
    }
    NDIndex idx = new NDIndex();
    for (int i = 0; i < ax; i++) {
      idx.addAllDim();
    }
    idx.addSliceDim(from, to);
    return wrap(a.get(idx));
  }

  @Override
  public Tensor splitHeads(Tensor x, int heads) {
    int[] s = x.shape();
    if (s.length != 3 || s[2] % heads != 0) {
      throw new IllegalArgumentException(
          "splitHeads: need [B, L, H*Dh] with H=" + heads + ", got " + Arrays.toString(s));
    }
    NDArray a = nd(x).reshape(s[0], s[1], heads, s[2] / heads);
    return wrap(a.transpose(0, 2, 1, 3));
  }

  @Override
  public Tensor mergeHeads(Tensor x) {
    int[] s = x.shape();
    return wrap(nd(x).transpose(0, 2, 1, 3).reshape(s[0], s[2], (long) s[1] * s[3]));
  }

  // ---------------------------------------------------------------- elementwise

  @Override
  public Tensor add(Tensor a, Tensor b) {
    return wrap(nd(a).add(nd(b)));
  }

  @Override
  public void addInPlace(Tensor acc, Tensor x) {
    nd(acc).addi(nd(x));
  }

  @Override
  public Tensor scale(Tensor t, double factor) {
    return wrap(nd(t).mul(factor));
  }

  @Override
  public Tensor sumTo(Tensor t, int... shape) {
    return wrap(sumTo(nd(t), shape));
  }

  /** Sums a broadcast result back to {@code target} (leading axes, then axes of size 1). */
  private static NDArray sumTo(NDArray a, int[] target) {
    long[] s = a.getShape().getShape();
    int lead = s.length - target.length;
    if (lead < 0) {
      throw new IllegalArgumentException(
          "sumTo: " + a.getShape() + " has fewer axes than " + Arrays.toString(target));
    }
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < s.length; i++) {
      if (i < lead) {
        axes.add(i);
      } else if (target[i - lead] == 1 && s[i] != 1) {
        axes.add(i);
      } else if (target[i - lead] != s[i]) {
        throw new IllegalArgumentException(
            "sumTo: cannot reduce " + a.getShape() + " to " + Arrays.toString(target));
      }
    }
    if (axes.isEmpty()) {
      return a;
    }
    int[] ax = axes.stream().mapToInt(Integer::intValue).toArray();
    return a.sum(ax, true).reshape(shapeOf(target));
  }

  // ---------------------------------------------------------------- linear

  /** Saved state of a full-precision linear: the 2-D input and the weight. */
  private record FullLinear(Tensor y, NDArray x2, NDArray w, boolean hasBias, int[] xShape)
      implements LinearForward {}

  /**
   * Saved state of an NVFP4 linear: the unquantized 2-D input (the wgrad quantizes its transpose
   * with the Hadamard transform) and the dequantized weight, reused by the dgrad.
   */
  private record Nvfp4Linear(Tensor y, NDArray x2, NDArray wq, boolean hasBias, int[] xShape,
      LinearPrecision.Nvfp4 recipe, long seed) implements LinearForward {}

  @Override
  public LinearForward linear(Tensor x, Tensor w, Tensor bias, LinearPrecision precision,
      long seed) {
    NDArray xa = nd(x);
    NDArray wa = nd(w);
    int[] xs = x.shape();
    int in = xs[xs.length - 1];
    if (w.shape().length != 2 || w.dim(1) != in) {
      throw new IllegalArgumentException(
          "linear: input " + x.describe() + " does not match weight " + w.describe());
    }
    NDArray x2 = xa.reshape(-1, in);
    int[] ys = xs.clone();
    ys[ys.length - 1] = w.dim(0);
    if (precision instanceof LinearPrecision.Nvfp4 recipe) {
      NDArray[] q = Nvfp4Ops.fakeQuantize(dataType,
          new Nvfp4Ops.Job(x2, false, recipe.activations(), "linear input"),
          new Nvfp4Ops.Job(wa, false, recipe.weights(), "linear weight"));
      NDArray xq = q[0];
      NDArray wq = q[1];
      NDArray y2 = xq.getNDArrayInternal().linear(xq, wq, nd(bias)).singletonOrThrow();
      return new Nvfp4Linear(wrap(y2.reshape(shapeOf(ys))), x2, wq, bias != null, xs, recipe,
          seed);
    }
    NDArray y2 = xa.getNDArrayInternal().linear(x2, wa, nd(bias)).singletonOrThrow();
    return new FullLinear(wrap(y2.reshape(shapeOf(ys))), x2, wa, bias != null, xs);
  }

  @Override
  public LinearGrads linearBackward(Tensor dy, LinearForward forward, boolean needDx,
      boolean needParams) {
    if (forward instanceof Nvfp4Linear f) {
      return nvfp4Backward(dy, f, needDx, needParams);
    }
    FullLinear f = (FullLinear) forward;
    NDArray dy2 = nd(dy).reshape(-1, f.w.getShape().get(0));
    NDArray dw = needParams ? dy2.transpose().matMul(f.x2) : null;
    NDArray db = needParams && f.hasBias ? dy2.sum(new int[] {0}) : null;
    NDArray dx = needDx ? dy2.matMul(f.w).reshape(shapeOf(f.xShape)) : null;
    return grads(dx, dw, db);
  }

  private LinearGrads grads(NDArray dx, NDArray dw, NDArray db) {
    return new LinearGrads(dx == null ? null : wrap(dx), dw == null ? null : wrap(dw),
        db == null ? null : wrap(db));
  }

  private LinearGrads nvfp4Backward(Tensor dy, Nvfp4Linear f, boolean needDx,
      boolean needParams) {
    NDArray dy2 = nd(dy).reshape(-1, f.wq.getShape().get(0));
    LinearPrecision.Nvfp4 r = f.recipe;
    // wgrad reduces over tokens: both operands transposed so that tokens run along rows
    Nvfp4Ops.Job dyT = new Nvfp4Ops.Job(dy2, true,
        r.outputGradsForWgrad().withSeed(Nvfp4Ops.seedFor(f.seed, 1)), "wgrad dY^T");
    Nvfp4Ops.Job xT = new Nvfp4Ops.Job(f.x2, true, r.activationsForWgrad(), "wgrad X^T");
    Nvfp4Ops.Job dyq = new Nvfp4Ops.Job(dy2, false,
        r.outputGradsForDgrad().withSeed(Nvfp4Ops.seedFor(f.seed, 2)), "dgrad dY");
    List<Nvfp4Ops.Job> jobs = new ArrayList<>();
    if (needParams) {
      jobs.add(dyT);
      jobs.add(xT);
    }
    if (needDx) {
      jobs.add(dyq);
    }
    NDArray[] q = Nvfp4Ops.fakeQuantize(dataType, jobs.toArray(new Nvfp4Ops.Job[0]));
    NDArray dw = needParams ? q[0].matMul(q[1].transpose()) : null;
    NDArray db = needParams && f.hasBias ? dy2.sum(new int[] {0}) : null;
    NDArray dx = needDx ? q[q.length - 1].matMul(f.wq).reshape(shapeOf(f.xShape)) : null;
    return grads(dx, dw, db);
  }

  // ---------------------------------------------------------------- norms

  private static final int[] LAST = {-1};

  @Override
  public Normalized rmsNorm(Tensor x, Tensor weight, double eps) {
    NDArray xa = nd(x);
    NDArray rstd = xa.square().mean(lastAxis(xa), true).add(eps).pow(-0.5);
    NDArray xhat = xa.mul(rstd);
    NDArray y = weight == null ? xhat : xhat.mul(nd(weight));
    return new Normalized(wrap(y), wrap(xhat), wrap(rstd));
  }

  @Override
  public NormGrads rmsNormBackward(Tensor dy, Tensor weight, Normalized f) {
    NDArray g = nd(dy);
    NDArray xhat = nd(f.xhat());
    NDArray dw = weight == null ? null : sumTo(g.mul(xhat), weight.shape());
    NDArray gx = weight == null ? g : g.mul(nd(weight));
    // dx = rstd * (gx - xhat * mean(gx * xhat))
    NDArray proj = gx.mul(xhat).mean(lastAxis(xhat), true);
    NDArray dx = xhat.mul(proj).negi().addi(gx).muli(nd(f.rstd()));
    return new NormGrads(wrap(dx), dw == null ? null : wrap(dw), null);
  }

  @Override
  public Normalized layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
    NDArray xa = nd(x);
    int[] last = lastAxis(xa);
    NDArray xhat = xa.sub(xa.mean(last, true));
    NDArray rstd = xhat.square().mean(last, true).addi(eps).pow(-0.5);
    xhat.muli(rstd);
    NDArray y = weight == null ? xhat : xhat.mul(nd(weight));
    if (bias != null) {
      y = y == xhat ? y.add(nd(bias)) : y.addi(nd(bias));
    }
    return new Normalized(wrap(y), wrap(xhat), wrap(rstd));
  }

  @Override
  public NormGrads layerNormBackward(Tensor dy, Tensor weight, boolean hasBias, Normalized f) {
    NDArray g = nd(dy);
    NDArray xhat = nd(f.xhat());
    int[] last = lastAxis(xhat);
    NDArray dw = weight == null ? null : sumTo(g.mul(xhat), weight.shape());
    int width = Math.toIntExact(xhat.getShape().get(last[0]));
    NDArray db = hasBias ? sumTo(g, new int[] {width}) : null;
    NDArray gx = weight == null ? g : g.mul(nd(weight));
    // dx = rstd * (gx - mean(gx) - xhat * mean(gx * xhat))
    NDArray dx = xhat.mul(gx.mul(xhat).mean(last, true)).negi().addi(gx)
        .subi(gx.mean(last, true)).muli(nd(f.rstd()));
    return new NormGrads(wrap(dx), dw == null ? null : wrap(dw), db == null ? null : wrap(db));
  }

  private static int[] lastAxis(NDArray a) {
    return new int[] {a.getShape().dimension() - 1};
  }

  // ---------------------------------------------------------------- modulation

  @Override
  public Tensor modulate(Tensor x, Tensor shift, Tensor scale) {
    return wrap(nd(x).mul(nd(scale).add(1)).addi(nd(shift)));
  }

  @Override
  public ModulateGrads modulateBackward(Tensor dy, Tensor x, Tensor shift, Tensor scale) {
    NDArray g = nd(dy);
    NDArray dx = g.mul(nd(scale).add(1));
    NDArray dshift = sumTo(g, shift.shape());
    NDArray dscale = sumTo(g.mul(nd(x)), scale.shape());
    return new ModulateGrads(wrap(dx), wrap(dshift), wrap(dscale));
  }

  @Override
  public Tensor gatedAdd(Tensor residual, Tensor h, Tensor gate) {
    return wrap(nd(h).mul(nd(gate)).addi(nd(residual)));
  }

  @Override
  public GateGrads gatedAddBackward(Tensor dy, Tensor h, Tensor gate) {
    NDArray g = nd(dy);
    return new GateGrads(wrap(g.mul(nd(gate))), wrap(sumTo(g.mul(nd(h)), gate.shape())));
  }

  // ---------------------------------------------------------------- activations

  private static final double GELU_C = Math.sqrt(2 / Math.PI);
  private static final double GELU_A = 0.044715;

  // In-place operations below only ever touch arrays created within the same method.

  @Override
  public Tensor gelu(Tensor x) {
    NDArray a = nd(x);
    // 0.5 x (1 + tanh(c x (1 + A x^2)))
    NDArray t = a.square().muli(GELU_A).addi(1).muli(a).muli(GELU_C).tanh();
    return wrap(t.addi(1).muli(a).muli(0.5));
  }

  @Override
  public Tensor geluBackward(Tensor dy, Tensor x) {
    NDArray a = nd(x);
    NDArray x2 = a.square();
    NDArray t = x2.mul(GELU_A).addi(1).muli(a).muli(GELU_C).tanh();
    // d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) u',  u' = c (1 + 3 A x^2)
    NDArray du = x2.muli(3 * GELU_A).addi(1).muli(GELU_C);
    NDArray d = t.square().negi().addi(1).muli(du).muli(a).addi(t).addi(1).muli(0.5);
    return wrap(d.muli(nd(dy)));
  }

  @Override
  public Tensor silu(Tensor x) {
    NDArray a = nd(x);
    return wrap(a.mul(a.getNDArrayInternal().sigmoid()));
  }

  @Override
  public Tensor siluBackward(Tensor dy, Tensor x) {
    NDArray a = nd(x);
    NDArray s = a.getNDArrayInternal().sigmoid();
    // d/dx [x s(x)] = s (1 + x (1 - s))
    return wrap(nd(dy).mul(s.mul(a.mul(s.neg().add(1)).add(1))));
  }

  // ---------------------------------------------------------------- positions and attention

  @Override
  public Tensor rope(Tensor x, Tensor cos, Tensor sin, boolean inverse) {
    int[] s = x.shape();
    if (s.length != 4 || s[3] % 2 != 0 || cos.dim(0) != s[2] || cos.dim(1) != s[3] / 2) {
      throw new IllegalArgumentException("rope: x " + x.describe() + " with tables "
          + cos.describe() + " (need [B,H,L,Dh] and [L,Dh/2])");
    }
    NDArray pairs = nd(x).reshape(s[0], s[1], s[2], s[3] / 2, 2);
    NDArray x0 = pairs.get("..., 0");
    NDArray x1 = pairs.get("..., 1");
    NDArray c = nd(cos);
    NDArray sn = inverse ? nd(sin).neg() : nd(sin);
    NDArray y0 = x0.mul(c).subi(x1.mul(sn));
    NDArray y1 = x0.mul(sn).addi(x1.mul(c));
    return wrap(NDArrays.stack(new NDList(y0, y1), 4).reshape(shapeOf(s)));
  }

  @Override
  public Tensor maskBias(boolean[] allowed, int lq, int lk) {
    checkLength(allowed.length, new int[] {lq, lk});
    float[] bias = new float[allowed.length];
    for (int q = 0; q < lq; q++) {
      boolean any = false;
      for (int k = 0; k < lk; k++) {
        boolean ok = allowed[q * lk + k];
        any |= ok;
        bias[q * lk + k] = ok ? 0f : Float.NEGATIVE_INFINITY;
      }
      if (!any) {
        throw new IllegalArgumentException("mask row " + q + " allows no key");
      }
    }
    CpuTensor t = (CpuTensor) fromFloats(bias, lq, lk);
    return new CpuTensor(t.array, KeyBounds.of(allowed, lq, lk));
  }

  /** Probabilities of one query segment over its key prefix [0, bound). */
  private record SegmentProbs(int start, int end, int bound, NDArray probs) {}

  private record CpuAttended(Tensor out, List<SegmentProbs> segments) implements Attended {}

  @Override
  public Attended attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
    // Scale q ([.., L, Dh]) rather than the scores ([.., L, L]); the bias is added in place into
    // the fresh score array: the L x L passes dominate, so each one saved counts.
    NDArray qs = nd(q).mul(scale);
    NDArray ka = nd(k);
    NDArray va = nd(v);
    int lq = q.dim(2);
    int lk = k.dim(2);
    KeyBounds bounds = bias == null ? null : ((CpuTensor) bias).keyBounds;
    List<KeyBounds.Segment> segs = bounds != null ? bounds.segments()
        : List.of(new KeyBounds.Segment(0, lq, lk));
    List<SegmentProbs> saved = new ArrayList<>(segs.size());
    NDList outs = new NDList(segs.size());
    for (KeyBounds.Segment sg : segs) {
      NDArray s = rows(qs, sg.start(), sg.end(), lq).matMul(rows(ka, 0, sg.bound(), lk)
          .transpose(0, 1, 3, 2));
      if (bias != null) {
        s.addi(block(nd(bias), sg, lq, lk));
      }
      NDArray p = s.softmax(3);
      saved.add(new SegmentProbs(sg.start(), sg.end(), sg.bound(), p));
      outs.add(p.matMul(rows(va, 0, sg.bound(), lk)));
    }
    NDArray out = outs.size() == 1 ? outs.singletonOrThrow() : NDArrays.concat(outs, 2);
    return new CpuAttended(wrap(out), saved);
  }

  /** Rows [from, to) of axis 2 of a [B, H, L, Dh] array (the array itself when whole). */
  private static NDArray rows(NDArray a, int from, int to, int len) {
    return from == 0 && to == len ? a : a.get(new NDIndex().addAllDim(2).addSliceDim(from, to));
  }

  /** The [rows, key prefix] block of a [Lq, Lk] bias. */
  private static NDArray block(NDArray bias, KeyBounds.Segment sg, int lq, int lk) {
    if (sg.start() == 0 && sg.end() == lq && sg.bound() == lk) {
      return bias;
    }
    return bias.get(new NDIndex().addSliceDim(sg.start(), sg.end()).addSliceDim(0, sg.bound()));
  }

  @Override
  public AttentionGrads attentionBackward(Tensor dout, Tensor q, Tensor k, Tensor v,
      Attended forward, double scale) {
    CpuAttended f = (CpuAttended) forward;
    NDArray g = nd(dout);
    NDArray o = nd(f.out());
    NDArray qs = nd(q).mul(scale);
    NDArray ka = nd(k);
    NDArray va = nd(v);
    int lq = q.dim(2);
    int lk = k.dim(2);
    NDList dqs = new NDList(f.segments().size());
    NDArray dk = null;
    NDArray dv = null;
    for (SegmentProbs sp : f.segments()) {
      NDArray p = sp.probs();
      NDArray gs = rows(g, sp.start(), sp.end(), lq);
      NDArray ks = rows(ka, 0, sp.bound(), lk);
      // softmax backward dS = P * (dP - rowsum(dP * P)), with rowsum(dP * P) = rowsum(dO * O)
      // computed on [.., L, Dh] instead of [.., L, L] (FlashAttention's identity); in place on dP
      NDArray rowDot = gs.mul(rows(o, sp.start(), sp.end(), lq)).sum(new int[] {3}, true);
      NDArray ds = gs.matMul(rows(va, 0, sp.bound(), lk).transpose(0, 1, 3, 2)).subi(rowDot)
          .muli(p);
      dqs.add(ds.matMul(ks).muli(scale));
      NDArray dkPart = padKeys(ds.transpose(0, 1, 3, 2).matMul(rows(qs, sp.start(), sp.end(), lq)),
          lk);
      NDArray dvPart = padKeys(p.transpose(0, 1, 3, 2).matMul(gs), lk);
      dk = dk == null ? dkPart : dk.addi(dkPart);
      dv = dv == null ? dvPart : dv.addi(dvPart);
    }
    NDArray dq = dqs.size() == 1 ? dqs.singletonOrThrow() : NDArrays.concat(dqs, 2);
    return new AttentionGrads(wrap(dq), wrap(dk), wrap(dv));
  }

  /** Zero-pads a key-prefix gradient [B, H, bound, Dh] to all lk keys. */
  private static NDArray padKeys(NDArray part, int lk) {
    long[] s = part.getShape().getShape();
    if (s[2] == lk) {
      return part;
    }
    NDArray zeros = part.getManager().zeros(new Shape(s[0], s[1], lk - s[2], s[3]),
        part.getDataType());
    return NDArrays.concat(new NDList(part, zeros), 2);
  }

  // ---------------------------------------------------------------- embeddings

  private NDArray oneHot(NDArray like, int[] ids, int vocab) {
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocab) {
        throw new IllegalArgumentException(
            "token id " + ids[i] + " at " + i + " outside vocabulary of " + vocab);
      }
    }
    NDArray idx = like.getManager().create(ids);
    return idx.oneHot(vocab, dataType);
  }

  @Override
  public Tensor embeddingLookup(Tensor table, int[] ids) {
    NDArray t = nd(table);
    // One-hot times table: exact (one non-zero per row) and a single GEMM.
    return wrap(oneHot(t, ids, table.dim(0)).matMul(t));
  }

  @Override
  public Tensor embeddingBackward(Tensor dy, int[] ids, int vocab) {
    NDArray g = nd(dy);
    return wrap(oneHot(g, ids, vocab).transpose().matMul(g));
  }

  // ---------------------------------------------------------------- loss

  @Override
  public Loss maskedMse(Tensor pred, Tensor target, Tensor tokenMask) {
    NDArray diff = nd(pred).sub(nd(target));
    NDArray m = nd(tokenMask);
    double count = scalar(m.sum()) * pred.dim(-1);
    if (count == 0) {
      throw new IllegalArgumentException("maskedMse: the token mask selects no token");
    }
    NDArray md = diff.mul(m);
    double loss = scalar(md.mul(diff).sum()) / count;
    return new Loss(loss, wrap(md.mul(2 / count)));
  }

  // ---------------------------------------------------------------- reductions and optimizer

  private static double scalar(NDArray a) {
    return a.getDataType() == DataType.FLOAT64 ? a.getDouble() : a.getFloat();
  }

  @Override
  public double sumOfSquares(Tensor t) {
    NDArray a = nd(t);
    return scalar(a.toType(DataType.FLOAT64, false).square().sum());
  }

  @Override
  public double dot(Tensor a, Tensor b) {
    return scalar(nd(a).toType(DataType.FLOAT64, false).mul(nd(b)).sum());
  }

  @Override
  public void scaleInPlace(Tensor t, double factor) {
    nd(t).muli(factor);
  }

  @Override
  public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep h) {
    NDArray p = nd(param);
    NDArray g = nd(grad);
    NDArray ma = nd(m);
    NDArray va = nd(v);
    ma.muli(h.beta1()).addi(g.mul(1 - h.beta1()));
    va.muli(h.beta2()).addi(g.square().mul(1 - h.beta2()));
    NDArray denom = va.div(h.biasCorrection2()).sqrt().addi(h.eps());
    NDArray update = ma.div(denom).muli(h.lr() / h.biasCorrection1());
    if (h.weightDecay() != 0) {
      p.muli(1 - h.lr() * h.weightDecay());
    }
    p.subi(update);
  }

  @Override
  public void emaUpdate(Tensor ema, Tensor param, double decay) {
    nd(ema).muli(decay).addi(nd(param).mul(1 - decay));
  }
}
