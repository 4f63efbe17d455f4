package org.longspark.model.nn;

import org.longspark.model.Seeds;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.longspark.model.tensor.Backend;

/**
 * Creates the parameters of a model while its layers are constructed, and remembers them in order.
 * The allocating factory initializes values from a seed and the parameter's name, so a model's
 * initial weights do not depend on construction order or thread; the counting factory records only
 * shapes, which is how shape-only presets (billions of parameters) are counted.
 */
public final class ParamFactory {
  /** How a parameter's initial values are drawn. */
  public enum Init {
    ZEROS,
    ONES,
    /** Uniform in +-1/sqrt(fan_in), fan_in = the last dimension (PyTorch's Linear default). */
    FAN_IN_UNIFORM,
    /** Standard normal (embedding tables, as PyTorch's nn.Embedding). */
    NORMAL,
    /** Normal with standard deviation 1/sqrt(last dimension) (Wan's modulation tables). */
    NORMAL_FAN_IN
  }

  private final Backend backend;
  private final long seed;
  private final String prefix;
  private final List<Param> created;
  private final List<Linear> linears;

  private ParamFactory(Backend backend, long seed, String prefix, List<Param> created,
      List<Linear> linears) {
    this.backend = backend;
    this.seed = seed;
    this.prefix = prefix;
    this.created = created;
    this.linears = linears;
  }

  public static ParamFactory allocating(Backend backend, long seed) {
    return new ParamFactory(backend, seed, "", new ArrayList<>(), new ArrayList<>());
  }

  public static ParamFactory counting() {
    return new ParamFactory(null, 0, "", new ArrayList<>(), new ArrayList<>());
  }

  /** A factory whose parameter names start with {@code name + "."}, sharing this one's lists. */
  public ParamFactory scope(String name) {
    return new ParamFactory(backend, seed, prefix + name + ".", created, linears);
  }

  /** Remembers a Linear built through this factory (LoRA attaches to them by name). */
  void register(Linear linear) {
    linears.add(linear);
  }

  /** Every Linear built through this factory or its scopes, in construction order. */
  public List<Linear> linears() {
    return Collections.unmodifiableList(linears);
  }

  /** The full name a parameter or layer called {@code local} gets in this scope. */
  public String nameOf(String local) {
    return prefix + local;
  }

  /** The backend that allocating parameters live on (null when counting). */
  public Backend backend() {
    return backend;
  }

  public boolean isCounting() {
    return backend == null;
  }

  public Param create(String name, Init init, int... shape) {
    String full = prefix + name;
    for (int d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException("parameter " + full + ": dimension " + d);
      }
    }
    Param p = new Param(full, shape, backend == null ? null
        : backend.fromFloats(initialValues(full, init, shape), shape));
    created.add(p);
    return p;
  }

  private float[] initialValues(String name, Init init, int[] shape) {
    int n = 1;
    for (int d : shape) {
      n = Math.multiplyExact(n, d);
    }
    float[] v = new float[n];
    SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, Seeds.ofName(name), 0));
    switch (init) {
      case ZEROS -> { }
      case ONES -> java.util.Arrays.fill(v, 1f);
      case FAN_IN_UNIFORM -> {
        double bound = 1 / Math.sqrt(shape[shape.length - 1]);
        for (int i = 0; i < n; i++) {
          v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
      }
      case NORMAL -> {
        for (int i = 0; i < n; i++) {
          v[i] = (float) Seeds.gaussian(rnd);
        }
      }
      case NORMAL_FAN_IN -> {
        double std = 1 / Math.sqrt(shape[shape.length - 1]);
        for (int i = 0; i < n; i++) {
          v[i] = (float) (Seeds.gaussian(rnd) * std);
        }
      }
      default -> throw new IllegalStateException("unknown init " + init);
    }
    return v;
  }

  /** All parameters created so far through this factory or its scopes, in creation order. */
  public List<Param> params() {
    return Collections.unmodifiableList(created);
  }

  public long count() {
    long n = 0;
    for (Param p : created) {
      n += p.size();
    }
    return n;
  }
}
