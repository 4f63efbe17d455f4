package org.longspark.barrier.sp;

import org.longspark.barrier.comm.Communicator;
import org.longspark.model.nn.AttentionCore;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * Ulysses sequence-parallel attention across the ranks of an SP group. Forward: one all-to-all
 * turns q, k, v from sequence-sharded [B, H, L/P, Dh] into head-sharded [B, H/P, L, Dh], the
 * backend attends over the whole sequence with the mask bias given for the gathered order (see
 * {@link BalancedSpLayout#gatheredMask}), and the inverse all-to-all brings the output back to
 * [B, H, L/P, Dh]. Backward runs the same exchanges the other way: d out to head-sharded, the
 * backend's attention backward, and one all-to-all of dq, dk, dv back to sequence-sharded.
 *
 * <p>Used by one thread (the rank's training loop), like the backend.
 */
public final class UlyssesAttention implements AttentionCore {
  private final SequenceHeadExchange exchange;

  public UlyssesAttention(Communicator spGroup, PayloadCompression compression) {
    this.exchange = new SequenceHeadExchange(spGroup, compression);
  }

  /** Exchange traffic and compression error so far. */
  public ExchangeStats stats() {
    return exchange.stats();
  }

  /** The forward's saved state: the head-sharded q, k, v and the backend's own attention state. */
  private record Attended(Tensor out, Tensor q, Tensor k, Tensor v, Backend.Attended inner)
      implements Backend.Attended {}

  @Override
  public Backend.Attended forward(Backend be, Tensor q, Tensor k, Tensor v, Tensor bias,
      double scale) {
    Tensor[] g = exchange.toHeads(be, true, q, k, v);
    Backend.Attended inner = be.attention(g[0], g[1], g[2], bias, scale);
    Tensor out = exchange.toSequence(be, true, inner.out())[0];
    return new Attended(out, g[0], g[1], g[2], inner);
  }

  @Override
  public Backend.AttentionGrads backward(Backend be, Tensor dout, Tensor q, Tensor k, Tensor v,
      Backend.Attended forward, double scale) {
    Attended f = (Attended) forward;
    Tensor gdout = exchange.toHeads(be, false, dout)[0];
    Backend.AttentionGrads g = be.attentionBackward(gdout, f.q, f.k, f.v, f.inner, scale);
    Tensor[] local = exchange.toSequence(be, false, g.dq(), g.dk(), g.dv());
    return new Backend.AttentionGrads(local[0], local[1], local[2]);
  }

  @Override
  public String toString() {
    return "Ulysses attention";
  }
}
