/**
 * Autoregressive tuning with teacher forcing: mask, flow matching, optimizer, EMA, the training
 * step.
 */
package org.longspark.model.train;
