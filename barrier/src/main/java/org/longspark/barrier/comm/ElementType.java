package org.longspark.barrier.comm;

/** Element types of {@link Communicator#allReduce}. */
public enum ElementType {
  FLOAT32(4),
  FLOAT64(8);

  private final int bytes;

  ElementType(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }
}
