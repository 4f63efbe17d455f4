package org.longspark.model.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.longspark.model.GradCheck;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.Tensor;
import org.longspark.model.tensor.cpu.CpuBackend;
import org.longspark.model.train.TeacherForcingMask;

/**
 * A whole DiT block's explicit gradients against DJL autograd (libtorch) on the same float64
 * inputs: output, input, timestep-embedding, text and every parameter gradient. Both sides evaluate
 * the same function in float64 in different operation orders, so they agree to ~1e-13 relative;
 * 1e-9 is far above that and far below any real error.
 */
class DitBlockAutogradTest {
  private static final double TOLERANCE = 1e-9;

  @Test
  void explicitBackwardMatchesAutograd() {
    int dim = 32;
    int heads = 2;
    int frames = 4; // slots: 2 clean + 2 noisy frames, chunks of 1
    int perFrame = 4;
    int len = frames * perFrame;
    try (CpuBackend be = new CpuBackend(DType.FLOAT64);
        NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
      ParamFactory f = ParamFactory.allocating(be, 21);
      DitBlock block = new DitBlock(f, "b", dim, 64, heads, 1e-6, PrecisionPolicy.FULL);
      GradCheck gc = new GradCheck(be, 22);
      gc.randomize(f.params(), 0.3);
      TeacherForcingMask mask = new TeacherForcingMask(2, 1, perFrame, 0, 0);
      Attention.Rotary rot = new Rope3d(dim / heads, 10000).tables(be, mask.slotPositions(), 2, 2);
      Tensor bias = be.maskBias(mask.table(), len, len);
      Tensor x = gc.random(1, 2, len, dim);
      Tensor e0 = gc.random(0.3, 2, frames, 6 * dim);
      Tensor text = gc.random(1, 2, 5, dim);
      Tensor r = gc.random(1, 2, len, dim);

      DitBlock.Context ctx = new DitBlock.Context(e0, text, rot, bias, frames, 0);
      DitBlock.Saved saved = block.forward(x, ctx);
      DitBlock.Grads ours = block.backward(saved, r, ctx);

      AutogradDitBlock oracle = new AutogradDitBlock(m, DataType.FLOAT64, be, f.params(), "b.",
          dim, heads, 1e-6, UnaryOperator.identity(), UnaryOperator.identity());
      NDArray ax = copy(m, be, x);
      NDArray ae0 = copy(m, be, e0);
      NDArray atext = copy(m, be, text);
      NDArray y;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        y = oracle.forward(ax, ae0, atext, copy(m, be, rot.cos()), copy(m, be, rot.sin()),
            copy(m, be, bias), frames);
        collector.backward(y.mul(copy(m, be, r)).sum());
      }
      assertClose("y", y.toDoubleArray(), be.toDoubles(saved.y()));
      assertClose("dx", ax.getGradient().toDoubleArray(), be.toDoubles(ours.dx()));
      assertClose("de0", ae0.getGradient().toDoubleArray(), be.toDoubles(ours.de0()));
      assertClose("dtext", atext.getGradient().toDoubleArray(), be.toDoubles(ours.dtext()));
      int checked = 0;
      for (Param p : f.params()) {
        NDArray a = oracle.params().get(p.name().substring(2));
        assertClose(p.name(), a.getGradient().toDoubleArray(), be.toDoubles(p.grad()));
        checked++;
      }
      // modulation table, norm3 weight+bias, 2 x (4 Linears x 2 + 2 RMSNorms), FFN 2 x 2
      assertTrue(checked == 27, "checked " + checked + " parameters");
    }
  }

  private static NDArray copy(NDManager m, Backend be, Tensor t) {
    long[] s = new long[t.shape().length];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.shape()[i];
    }
    NDArray a = m.create(be.toDoubles(t), new Shape(s));
    a.setRequiresGradient(true);
    return a;
  }

  /** Max-abs difference relative to the reference's max-abs value. */
  private static void assertClose(String name, double[] want, double[] got) {
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < want.length; i++) {
      diff = Math.max(diff, Math.abs(want[i] - got[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    assertTrue(scale > 0, name + ": all-zero reference");
    assertTrue(diff <= TOLERANCE * scale,
        name + ": max difference " + diff + " relative " + diff / scale);
  }
}
