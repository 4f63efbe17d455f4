/** Model core: backends, layers, the causal DiT and its training step. */
package org.longspark.model;
