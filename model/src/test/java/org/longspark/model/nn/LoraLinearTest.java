package org.longspark.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.longspark.model.GradCheck;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.LinearPrecision;
import org.longspark.model.tensor.Tensor;
import org.longspark.model.tensor.cpu.CpuBackend;
import org.longspark.model.train.AdamW;

class LoraLinearTest {

  @Test
  void gradientsOfAdapterAndInputMatchFiniteDifferencesAndTheBaseGetsNone() {
    try (CpuBackend be = new CpuBackend(DType.FLOAT64)) {
      ParamFactory f = ParamFactory.allocating(be, 1);
      Linear base = new Linear(f, "base", 12, 8, true, LinearPrecision.FULL);
      LoraLinear lora = new LoraLinear(f, "lora", base, 3, 6.0);
      GradCheck gc = new GradCheck(be, 2);
      gc.randomize(lora.adapterParams(), 0.5); // B starts at zero: make both factors non-trivial
      Tensor x = gc.random(1, 2, 4, 12);
      Tensor r = gc.random(1, 2, 4, 8);
      Tensor dx = lora.backward(lora.forward(x, 0), r, true);
      gc.check("x", x, dx, () -> be.dot(lora.forward(x, 0).y(), r), 2);
      gc.checkParams(lora.adapterParams(), () -> be.dot(lora.forward(x, 0).y(), r));
      assertNull(base.weight().grad());
      assertNull(base.bias().grad());
    }
  }

  @Test
  void startsAsTheBaseTrainsOnlyTheAdapterAndSavesAndLoadsIt() throws IOException {
    try (CpuBackend be = new CpuBackend()) {
      ParamFactory f = ParamFactory.allocating(be, 3);
      Linear base = new Linear(f, "base", 16, 16, true, LinearPrecision.FULL);
      LoraLinear lora = new LoraLinear(f, "lora", base, 4, 8.0);
      float[] xs = new float[32];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = (float) Math.sin(i);
      }
      Tensor x = be.fromFloats(xs, 2, 16);
      float[] baseWeight = be.toFloats(base.weight().value());
      assertArrayEquals(be.toFloats(base.forward(x, 0).y()), be.toFloats(lora.forward(x, 0).y()),
          0f, "B = 0: the adapter adds exactly nothing at the start");
      AdamW opt = new AdamW(be, f.params(), new AdamW.Settings(1e-2, 0.9, 0.999, 1e-8, 0));
      for (int step = 0; step < 3; step++) {
        try (Backend.Step s = be.openStep()) {
          lora.backward(lora.forward(x, 0), be.fromFloats(xs, 2, 16), false);
          opt.step();
          f.params().forEach(Param::clearGrad);
        }
      }
      assertArrayEquals(baseWeight, be.toFloats(base.weight().value()), 0f, "base is frozen");

      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      lora.write(new DataOutputStream(bytes));
      ParamFactory g = ParamFactory.allocating(be, 3); // same seed: the same base weights
      Linear base2 = new Linear(g, "base", 16, 16, true, LinearPrecision.FULL);
      LoraLinear fresh = new LoraLinear(g, "lora", base2, 4, 8.0);
      fresh.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      assertArrayEquals(be.toFloats(lora.forward(x, 0).y()), be.toFloats(fresh.forward(x, 0).y()),
          0f);

      LoraLinear other = new LoraLinear(g, "other", base2, 2, 8.0);
      IOException e = assertThrows(IOException.class, () -> other.read(
          new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("cannot load lora"),
          e.getMessage());
      List<Param> adapter = fresh.adapterParams();
      org.junit.jupiter.api.Assertions.assertEquals(2, adapter.size());
    }
  }
}
