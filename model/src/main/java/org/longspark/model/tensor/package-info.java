/**
 * The Backend interface of layer-level operations with explicit backward, and the tensor handle
 * that model code sees.
 */
package org.longspark.model.tensor;
