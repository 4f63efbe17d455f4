/** Text conditioning: a built-in small encoder, or embeddings computed elsewhere. */
package org.longspark.model.text;
