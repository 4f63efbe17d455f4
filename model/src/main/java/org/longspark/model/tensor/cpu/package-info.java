/**
 * The CPU backend on DJL NDArray (libtorch), with the NVFP4 training recipe through the kernels
 * module's codec.
 */
package org.longspark.model.tensor.cpu;
