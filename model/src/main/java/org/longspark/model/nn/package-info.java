/** Layers, each with its forward and backward side by side, and their parameters. */
package org.longspark.model.nn;
