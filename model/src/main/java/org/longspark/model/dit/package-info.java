/** The causal video DiT, its configuration and presets. */
package org.longspark.model.dit;
