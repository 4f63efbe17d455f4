package org.longspark.barrier.comm;

/**
 * The collectives written sequentially over every rank's input at once: what each rank must end
 * with. Inputs are indexed [rank][byte]; sums run in rank order, accumulated in double.
 */
final class CollectiveModel {
  private CollectiveModel() {}

  /** all-to-all with counts[i][j] bytes from rank i to rank j: what rank r receives. */
  static byte[] allToAllv(byte[][] inputs, int[][] counts, int r) {
    int n = inputs.length;
    int total = 0;
    for (int i = 0; i < n; i++) {
      total += counts[i][r];
    }
    byte[] out = new byte[total];
    int o = 0;
    for (int i = 0; i < n; i++) {
      int offset = 0;
      for (int j = 0; j < r; j++) {
        offset += counts[i][j];
      }
      System.arraycopy(inputs[i], offset, out, o, counts[i][r]);
      o += counts[i][r];
    }
    return out;
  }

  static byte[] allGather(byte[][] inputs) {
    int block = inputs[0].length;
    byte[] out = new byte[block * inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      System.arraycopy(inputs[i], 0, out, i * block, block);
    }
    return out;
  }

  static float[] sum(float[][] inputs, int[] members) {
    float[] out = new float[inputs[members[0]].length];
    for (int e = 0; e < out.length; e++) {
      double s = 0;
      for (int m : members) {
        s += inputs[m][e];
      }
      out[e] = (float) s;
    }
    return out;
  }

  static double[] sum(double[][] inputs) {
    double[] out = new double[inputs[0].length];
    for (int e = 0; e < out.length; e++) {
      double s = 0;
      for (double[] in : inputs) {
        s += in[e];
      }
      out[e] = s;
    }
    return out;
  }
}
