package org.longspark.data;

import java.io.Serializable;

/**
 * What the container says about the video stream before decoding.
 *
 * @param container      FFmpeg demuxer name (e.g. {@code avi}, {@code mov,mp4,m4a,3gp,3g2,mj2})
 * @param codec          FFmpeg codec name (e.g. {@code h264})
 * @param width          coded width
 * @param height         coded height
 * @param sourceFps      average frame rate of the stream (0 if unknown)
 * @param declaredFrames frame count the container declares (0 if it declares none)
 */
public record VideoInfo(String container, String codec, int width, int height, double sourceFps,
                        long declaredFrames) implements Serializable {
}
