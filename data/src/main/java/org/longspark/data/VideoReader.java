package org.longspark.data;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.AV_DISPOSITION_ATTACHED_PIC;
import static org.bytedeco.ffmpeg.global.avformat.av_probe_input_buffer2;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import java.io.FileNotFoundException;
import java.io.IOException;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Decodes the first video stream of a file on any Hadoop file system into {@link RgbFrame}s shaped
 * by a {@link FrameSpec}: demux, decode and filter run in FFmpeg (the same pipeline the ffmpeg CLI
 * runs), only the final small RGB frames are copied into Java.
 *
 * <p>Decoded frames go to the filter graph by reference; JavaCV's {@code FFmpegFrameFilter.push}
 * would copy every full-resolution frame and assumes contiguous planes, hence the direct API.
 *
 * <p>Every way a file can be bad ends in a {@link VideoRejectedException} with its reason, thrown by
 * {@link #open} or, for problems found while decoding (truncation, read errors), by {@link #next}.
 */
public final class VideoReader implements AutoCloseable {
    /** AVERROR(EAGAIN) on Linux. */
    private static final int AVERROR_EAGAIN = -11;

    static {
        FfmpegLogLevel.apply();
    }

    private final String uri;
    private final FrameSpec spec;
    private final DecodeLimits limits;
    private final HadoopAvioInput input;
    private AVFormatContext format;
    private AVCodecContext decoder;
    private AVStream stream;
    private VideoInfo info;
    private final AVPacket packet = av_packet_alloc();
    private final AVFrame decoded = av_frame_alloc();
    private final AVFrame filtered = av_frame_alloc();
    private FilterPipeline filters;
    private long decodedFrames;
    private long emittedFrames;
    private long packetErrors;
    private boolean demuxDone;
    private boolean decoderDone;
    private boolean finished;

    private VideoReader(String uri, FrameSpec spec, DecodeLimits limits, HadoopAvioInput input)
            throws VideoRejectedException {
        this.uri = uri;
        this.spec = spec;
        this.limits = limits;
        this.input = input;
        try {
            this.format = openContainer();
            this.stream = firstVideoStream();
            this.info = describe();
            checkResolution(info.width(), info.height());
            this.decoder = openDecoder();
        } catch (VideoRejectedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Opens {@code path} for decoding. The caller closes the reader.
     *
     * @throws VideoRejectedException for empty, unreadable, non-video, unsupported or absurd files
     */
    public static VideoReader open(FileSystem fs, Path path, FrameSpec spec, DecodeLimits limits)
            throws VideoRejectedException {
        String uri = path.toString();
        FileStatus status;
        FSDataInputStream in;
        try {
            status = fs.getFileStatus(path);
            if (status.isDirectory()) {
                throw new VideoRejectedException(RejectReason.NOT_VIDEO, uri + " is a directory");
            }
            if (status.getLen() == 0) {
                throw new VideoRejectedException(RejectReason.EMPTY_FILE, uri + " has zero bytes");
            }
            in = fs.open(path);
        } catch (FileNotFoundException e) {
            throw new VideoRejectedException(RejectReason.UNREADABLE, uri + " does not exist: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new VideoRejectedException(RejectReason.UNREADABLE, "cannot open " + uri + ": " + e.getMessage(), e);
        }
        HadoopAvioInput avio = new HadoopAvioInput(in, status.getLen(), uri);
        try {
            return new VideoReader(uri, spec, limits, avio);
        } catch (VideoRejectedException | RuntimeException e) {
            avio.close();
            throw e;
        }
    }

    public VideoInfo info() {
        return info;
    }

    /** Frames the decoder produced so far, before resampling. */
    public long decodedFrames() {
        return decodedFrames;
    }

    /** Packets the decoder refused so far (the ffmpeg CLI skips them the same way). */
    public long packetErrors() {
        return packetErrors;
    }

    /**
     * The next transformed frame, or {@code null} at the end of the stream.
     *
     * @throws VideoRejectedException when reading fails, nothing decodes, or the stream stops well
     *                                short of its declared length
     */
    public RgbFrame next() throws VideoRejectedException {
        while (!finished) {
            if (filters != null) {
                int ret = filters.pull(filtered);
                if (ret >= 0) {
                    RgbFrame frame = toRgb(filtered);
                    av_frame_unref(filtered);
                    return frame;
                }
                if (ret == AVERROR_EOF) {
                    finished = true;
                    break;
                }
                if (ret != AVERROR_EAGAIN) {
                    throw rejected(RejectReason.UNDECODABLE, "filter graph failed", ret);
                }
            }
            if (decoderDone) {
                if (filters == null) {
                    finished = true;
                    break;
                }
                filters.pushEnd();
                continue;
            }
            int ret = avcodec_receive_frame(decoder, decoded);
            if (ret >= 0) {
                decodedFrames++;
                feed(decoded);
                continue;
            }
            if (ret == AVERROR_EOF) {
                decoderDone = true;
                continue;
            }
            if (ret != AVERROR_EAGAIN) {
                packetErrors++;
                continue;
            }
            sendNextPacket();
        }
        checkComplete();
        return null;
    }

    private void feed(AVFrame frame) throws VideoRejectedException {
        checkResolution(frame.width(), frame.height());
        frame.pts(frame.best_effort_timestamp());
        if (filters != null && !filters.accepts(frame)) {
            // The graph is built for the first frame's size and format; a change is rare enough to reject.
            throw rejected(RejectReason.UNDECODABLE,
                    "frame size or pixel format changes mid-stream at frame " + decodedFrames, 0);
        }
        if (filters == null) {
            filters = FilterPipeline.create(frame, stream, spec, uri);
        }
        int ret = filters.push(frame);
        if (ret < 0) {
            throw rejected(RejectReason.UNDECODABLE, "cannot feed the filter graph", ret);
        }
    }

    private void sendNextPacket() throws VideoRejectedException {
        while (!demuxDone) {
            int ret = av_read_frame(format, packet);
            if (ret < 0) {
                if (input.readFailure() != null) {
                    throw unreadable();
                }
                // End of file, or a damaged tail: flush the decoder either way; the frame count
                // check decides whether it was truncated.
                demuxDone = true;
                avcodec_send_packet(decoder, (AVPacket) null);
                return;
            }
            try {
                if (packet.stream_index() != stream.index()) {
                    continue;
                }
                int sent = avcodec_send_packet(decoder, packet);
                if (sent < 0 && sent != AVERROR_EAGAIN) {
                    packetErrors++;
                }
                return;
            } finally {
                av_packet_unref(packet);
            }
        }
        // Demuxer finished earlier and the decoder still wants input: it has been flushed.
        decoderDone = true;
    }

    private RgbFrame toRgb(AVFrame frame) {
        int width = frame.width();
        int height = frame.height();
        int rowBytes = width * 3;
        int stride = frame.linesize(0);
        byte[] rgb = new byte[rowBytes * height];
        BytePointer data = frame.data(0);
        if (stride == rowBytes) {
            data.position(0).get(rgb, 0, rgb.length);
        } else {
            for (int y = 0; y < height; y++) {
                data.position((long) y * stride).get(rgb, y * rowBytes, rowBytes);
            }
        }
        return new RgbFrame(emittedFrames++, width, height, rgb);
    }

    private void checkComplete() throws VideoRejectedException {
        if (input.readFailure() != null) {
            throw unreadable();
        }
        if (decodedFrames == 0) {
            throw new VideoRejectedException(RejectReason.UNDECODABLE, "no frame of " + info.codec() + " stream in "
                    + uri + " could be decoded (" + packetErrors + " packets rejected by the decoder)");
        }
        long declared = info.declaredFrames();
        if (declared > 0 && decodedFrames < declared * (1 - limits.truncationTolerance())) {
            throw new VideoRejectedException(RejectReason.TRUNCATED, "decoded " + decodedFrames + " of "
                    + declared + " frames the container declares in " + uri);
        }
    }

    private AVFormatContext openContainer() throws VideoRejectedException {
        AVInputFormat probed = new AVInputFormat(null);
        // No file name hint: probing by content alone keeps e.g. notes.txt from passing as a "tty" video.
        int ret = av_probe_input_buffer2(input.context(), probed, "", null, 0, 0);
        if (ret < 0 || probed.isNull()) {
            if (input.readFailure() != null) {
                throw unreadable();
            }
            throw rejected(RejectReason.NOT_VIDEO, "no known container format", ret);
        }
        AVFormatContext ctx = avformat_alloc_context();
        // A preset pb makes FFmpeg treat the I/O as the caller's (AVFMT_FLAG_CUSTOM_IO): it never frees it.
        ctx.pb(input.context());
        ret = avformat_open_input(ctx, "", probed, (AVDictionary) null);
        if (ret < 0) {
            // avformat_open_input frees the context on failure.
            if (input.readFailure() != null) {
                throw unreadable();
            }
            throw rejected(RejectReason.UNDECODABLE, probed.name().getString() + " container cannot be opened", ret);
        }
        format = ctx;
        ret = avformat_find_stream_info(ctx, (PointerPointer<?>) null);
        if (ret < 0) {
            if (input.readFailure() != null) {
                throw unreadable();
            }
            throw rejected(RejectReason.UNDECODABLE, "no stream information", ret);
        }
        return ctx;
    }

    private AVStream firstVideoStream() throws VideoRejectedException {
        StringBuilder kinds = new StringBuilder();
        for (int i = 0; i < format.nb_streams(); i++) {
            AVStream st = format.streams(i);
            int type = st.codecpar().codec_type();
            // Cover art is stored as a one-frame video stream; it is not the video.
            boolean attachedPicture = (st.disposition() & AV_DISPOSITION_ATTACHED_PIC) != 0;
            if (type == AVMEDIA_TYPE_VIDEO && !attachedPicture) {
                return st;
            }
            kinds.append(kinds.length() == 0 ? "" : ", ").append(mediaType(type));
        }
        throw new VideoRejectedException(RejectReason.NOT_VIDEO, uri + " (" + containerName() + ") has no video stream"
                + (kinds.length() == 0 ? "" : "; streams: " + kinds));
    }

    private VideoInfo describe() {
        AVCodecParameters par = stream.codecpar();
        AVRational rate = stream.avg_frame_rate();
        if (rate.num() == 0 || rate.den() == 0) {
            rate = stream.r_frame_rate();
        }
        double fps = rate.den() == 0 ? 0 : (double) rate.num() / rate.den();
        long declared = stream.nb_frames();
        if (declared <= 0 && fps > 0 && stream.duration() > 0) {
            AVRational tb = stream.time_base();
            declared = Math.round(stream.duration() * tb.num() / (double) tb.den() * fps);
        }
        return new VideoInfo(containerName(), avcodec_get_name(par.codec_id()).getString(), par.width(),
                par.height(), fps, Math.max(declared, 0));
    }

    private void checkResolution(int width, int height) throws VideoRejectedException {
        if (width < limits.minSide() || height < limits.minSide() || width > limits.maxSide()
                || height > limits.maxSide()) {
            throw new VideoRejectedException(RejectReason.ABSURD_RESOLUTION, uri + " is " + width + "x" + height
                    + ", outside the accepted " + limits.minSide() + ".." + limits.maxSide() + " pixels per side");
        }
    }

    private AVCodecContext openDecoder() throws VideoRejectedException {
        AVCodecParameters par = stream.codecpar();
        AVCodec codec = avcodec_find_decoder(par.codec_id());
        if (codec == null || codec.isNull()) {
            throw new VideoRejectedException(RejectReason.UNSUPPORTED_CODEC, uri + ": no decoder for video codec "
                    + info.codec() + " (tag " + fourcc(par.codec_tag()) + ")");
        }
        AVCodecContext ctx = avcodec_alloc_context3(codec);
        int ret = avcodec_parameters_to_context(ctx, par);
        if (ret >= 0) {
            ctx.pkt_timebase(stream.time_base());
            ctx.thread_count(spec.decoderThreads());
            ret = avcodec_open2(ctx, codec, (AVDictionary) null);
        }
        if (ret < 0) {
            avcodec_free_context(ctx);
            throw rejected(RejectReason.UNSUPPORTED_CODEC, "cannot open the " + info.codec() + " decoder", ret);
        }
        return ctx;
    }

    private String containerName() {
        return format.iformat() == null ? "?" : format.iformat().name().getString();
    }

    private VideoRejectedException unreadable() {
        IOException e = input.readFailure();
        return new VideoRejectedException(RejectReason.UNREADABLE, e.getMessage(), e);
    }

    private VideoRejectedException rejected(RejectReason reason, String what, int ffmpegError) {
        String detail = ffmpegError < 0 ? " (ffmpeg: " + errorText(ffmpegError) + ")" : "";
        return new VideoRejectedException(reason, uri + ": " + what + detail);
    }

    static String errorText(int error) {
        byte[] buf = new byte[256];
        av_strerror(error, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String fourcc(int tag) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            int c = (tag >>> (8 * i)) & 0xff;
            s.append(c >= 32 && c < 127 ? (char) c : '?');
        }
        return s.toString();
    }

    private static String mediaType(int type) {
        return switch (type) {
            case 1 -> "audio";
            case 2 -> "data";
            case 3 -> "subtitle";
            case 4 -> "attachment";
            default -> "type " + type;
        };
    }

    @Override
    public void close() {
        if (filters != null) {
            filters.close();
            filters = null;
        }
        if (!decoded.isNull()) {
            av_frame_free(decoded);
            av_frame_free(filtered);
            av_packet_free(packet);
        }
        if (decoder != null) {
            avcodec_free_context(decoder);
            decoder = null;
        }
        if (format != null) {
            avformat_close_input(format);
            format = null;
        }
        input.close();
    }
}
