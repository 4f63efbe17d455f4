package org.longspark.kernels.cuda;

/** A CUDA driver call failed; the message names the call, the error and its context. */
public class CudaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CudaException(String message) {
    super(message);
  }

  public CudaException(String message, Throwable cause) {
    super(message, cause);
  }
}
