package org.longspark.model.nn;

import java.util.List;
import org.longspark.model.tensor.LinearPrecision;

/**
 * Which precision each Linear gets: {@code precision} for all, except layers whose full name starts
 * with one of {@code fullPrecisionPrefixes} (embeddings, time projection, head...), kept in FP32.
 */
public record PrecisionPolicy(LinearPrecision precision, List<String> fullPrecisionPrefixes) {
  public static final PrecisionPolicy FULL = new PrecisionPolicy(LinearPrecision.FULL, List.of());

  public PrecisionPolicy {
    fullPrecisionPrefixes = List.copyOf(fullPrecisionPrefixes);
  }

  public LinearPrecision forLinear(ParamFactory scope, String name) {
    String full = scope.nameOf(name);
    for (String p : fullPrecisionPrefixes) {
      if (full.startsWith(p)) {
        return LinearPrecision.FULL;
      }
    }
    return precision;
  }
}
