package org.longspark.kernels.cuda;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * The raw driver handles and device addresses behind JCuda's objects, for calls JCuda does not wrap
 * ({@link DependentLaunch}). JCuda keeps them in private fields of {@link NativePointerObject} and
 * {@link Pointer} (JCuda 12.6.0, pinned; {@code KernelArgumentsTest} fails if they move).
 */
final class NativeHandles {
  private static final VarHandle NATIVE_POINTER;
  private static final VarHandle BYTE_OFFSET;

  static {
    try {
      NATIVE_POINTER = MethodHandles.privateLookupIn(NativePointerObject.class, MethodHandles.lookup())
          .findVarHandle(NativePointerObject.class, "nativePointer", long.class);
      BYTE_OFFSET = MethodHandles.privateLookupIn(Pointer.class, MethodHandles.lookup())
          .findVarHandle(Pointer.class, "byteOffset", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private NativeHandles() {}

  /** A driver handle (CUfunction, CUstream, ...): the pointer JCuda holds. */
  static long handle(NativePointerObject o) {
    return (long) NATIVE_POINTER.get(o);
  }

  /** The address a pointer stands for: JCuda's base pointer plus its byte offset. */
  static long address(Pointer p) {
    return (long) NATIVE_POINTER.get(p) + (long) BYTE_OFFSET.get(p);
  }
}
