package org.longspark.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.longspark.model.GradCheck;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.LinearPrecision;
import org.longspark.model.tensor.Tensor;
import org.longspark.model.tensor.cpu.CpuBackend;
import org.longspark.model.train.AdamW;

class LoraAdapterTest {

  @Test
  void gradientsOfAdapterAndInputMatchFiniteDifferencesAndTheBaseGetsNone() {
    try (CpuBackend be = new CpuBackend(DType.FLOAT64)) {
      ParamFactory f = ParamFactory.allocating(be, 1);
      Linear lin = new Linear(f, "base", 12, 8, true, LinearPrecision.FULL);
      LoraAdapter lora = lin.attachLora(f, 3, 6.0);
      GradCheck gc = new GradCheck(be, 2);
      gc.randomize(lora.params(), 0.5); // B starts at zero: make both factors non-trivial
      Tensor x = gc.random(1, 2, 4, 12);
      Tensor r = gc.random(1, 2, 4, 8);
      Tensor dx = lin.backward(lin.forward(x, 0), r, true);
      gc.check("x", x, dx, () -> be.dot(lin.forward(x, 0).y(), r), 2);
      gc.checkParams(lora.params(), () -> be.dot(lin.forward(x, 0).y(), r));
      assertNull(lin.weight().grad());
      assertNull(lin.bias().grad());
    }
  }

  @Test
  void startsAsTheBaseTrainsOnlyTheAdapterAndSavesAndLoadsIt() throws IOException {
    try (CpuBackend be = new CpuBackend()) {
      ParamFactory f = ParamFactory.allocating(be, 3);
      Linear lin = new Linear(f, "base", 16, 16, true, LinearPrecision.FULL);
      float[] xs = new float[32];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = (float) Math.sin(i);
      }
      Tensor x = be.fromFloats(xs, 2, 16);
      float[] before = be.toFloats(lin.forward(x, 0).y());
      float[] baseWeight = be.toFloats(lin.weight().value());
      LoraAdapter lora = lin.attachLora(f, 4, 8.0);
      assertArrayEquals(before, be.toFloats(lin.forward(x, 0).y()), 0f,
          "B = 0: the adapter adds exactly nothing at the start");
      AdamW opt = new AdamW(be, f.params(), new AdamW.Settings(1e-2, 0.9, 0.999, 1e-8, 0));
      for (int step = 0; step < 3; step++) {
        try (Backend.Step s = be.openStep()) {
          lin.backward(lin.forward(x, 0), be.fromFloats(xs, 2, 16), false);
          opt.step();
          f.params().forEach(Param::clearGrad);
        }
      }
      assertArrayEquals(baseWeight, be.toFloats(lin.weight().value()), 0f, "base is frozen");
      float[] tuned = be.toFloats(lin.forward(x, 0).y());
      assertTrue(!java.util.Arrays.equals(before, tuned), "the adapter trained");

      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      lora.write(new DataOutputStream(bytes));
      ParamFactory g = ParamFactory.allocating(be, 3); // same seed: the same base weights
      Linear fresh = new Linear(g, "base", 16, 16, true, LinearPrecision.FULL);
      fresh.attachLora(g, 4, 8.0).read(new DataInputStream(
          new ByteArrayInputStream(bytes.toByteArray())));
      assertArrayEquals(tuned, be.toFloats(fresh.forward(x, 0).y()), 0f);

      Linear other = new Linear(g, "other", 16, 16, true, LinearPrecision.FULL);
      LoraAdapter wrong = other.attachLora(g, 2, 8.0);
      IOException e = assertThrows(IOException.class, () -> wrong.read(
          new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
      assertTrue(e.getMessage().contains("cannot load base"), e.getMessage());
      assertEquals(2, wrong.params().size());
    }
  }
}
