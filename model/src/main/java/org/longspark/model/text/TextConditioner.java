package org.longspark.model.text;

import java.util.List;
import org.longspark.model.nn.Param;
import org.longspark.model.tensor.Tensor;

/** Turns a batch's text into the context [B, Lt, dim()] that the DiT's text embedding consumes. */
public interface TextConditioner {
  int dim();

  Encoded encode(TextBatch batch, long seed);

  /** Backpropagates d context into the conditioner's own parameters (if any). */
  void backward(Encoded encoded, Tensor dcontext);

  List<Param> params();

  /** The context plus whatever the conditioner saved for its backward. */
  record Encoded(Tensor context, Object saved) {}
}
