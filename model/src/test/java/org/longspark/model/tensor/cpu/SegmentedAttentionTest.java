package org.longspark.model.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.longspark.model.GradCheck;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.Tensor;
import org.longspark.model.train.TeacherForcingMask;

/** Attention over key-prefix segments equals the dense masked attention. */
class SegmentedAttentionTest {

  @Test
  void teacherForcingMaskSplitsIntoOneSegmentPerChunkAndStream() {
    TeacherForcingMask m = new TeacherForcingMask(4, 2, 1, 0, 0);
    KeyBounds b = KeyBounds.of(m.table(), 8, 8);
    assertEquals(List.of(new KeyBounds.Segment(0, 2, 2), new KeyBounds.Segment(2, 4, 4),
        new KeyBounds.Segment(4, 6, 6), new KeyBounds.Segment(6, 8, 8)), b.segments());
    boolean[] full = new boolean[64];
    java.util.Arrays.fill(full, true);
    assertNull(KeyBounds.of(full, 8, 8), "nothing to skip");
  }

  @Test
  void segmentedForwardAndBackwardEqualTheDenseOnes() {
    try (CpuBackend be = new CpuBackend(DType.FLOAT64)) {
      TeacherForcingMask m = new TeacherForcingMask(4, 2, 3, 0, 0);
      int len = m.length();
      GradCheck gc = new GradCheck(be, 4);
      Tensor segmented = be.maskBias(m.table(), len, len);
      // the same values without key bounds: the dense path
      Tensor dense = be.fromDoubles(be.toDoubles(segmented), len, len);
      Tensor q = gc.random(1, 2, 2, len, 8);
      Tensor k = gc.random(1, 2, 2, len, 8);
      Tensor v = gc.random(1, 2, 2, len, 8);
      Tensor dout = gc.random(1, 2, 2, len, 8);
      Backend.Attended a = be.attention(q, k, v, segmented, 0.3);
      Backend.Attended b = be.attention(q, k, v, dense, 0.3);
      // same float64 products, summed over fewer (exactly zero-weighted) terms
      assertArrayEquals(be.toDoubles(b.out()), be.toDoubles(a.out()), 1e-12);
      Backend.AttentionGrads ga = be.attentionBackward(dout, q, k, v, a, 0.3);
      Backend.AttentionGrads gb = be.attentionBackward(dout, q, k, v, b, 0.3);
      assertArrayEquals(be.toDoubles(gb.dq()), be.toDoubles(ga.dq()), 1e-12);
      assertArrayEquals(be.toDoubles(gb.dk()), be.toDoubles(ga.dk()), 1e-12);
      assertArrayEquals(be.toDoubles(gb.dv()), be.toDoubles(ga.dv()), 1e-12);
    }
  }
}
