package org.longspark.data;

import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_frame;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersrc_add_frame_flags;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_get_by_name;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_alloc;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_config;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_create_filter;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_free;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_parse_ptr;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_inout_alloc;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_inout_free;
import static org.bytedeco.ffmpeg.global.avutil.av_strdup;

import java.util.Locale;

import org.bytedeco.ffmpeg.avfilter.AVFilterContext;
import org.bytedeco.ffmpeg.avfilter.AVFilterGraph;
import org.bytedeco.ffmpeg.avfilter.AVFilterInOut;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;

/** One FFmpeg filter graph: buffer source -> {@link FrameSpec#filterChain()} -> buffer sink. */
final class FilterPipeline implements AutoCloseable {
    private AVFilterGraph graph;
    private final AVFilterContext source;
    private final AVFilterContext sink;
    private final int width;
    private final int height;
    private final int pixelFormat;
    private boolean endSent;

    private FilterPipeline(AVFilterGraph graph, AVFilterContext source, AVFilterContext sink, AVFrame first) {
        this.graph = graph;
        this.source = source;
        this.sink = sink;
        this.width = first.width();
        this.height = first.height();
        this.pixelFormat = first.format();
    }

    /** Builds the graph for frames shaped like {@code first} (size, pixel format, stream time base). */
    static FilterPipeline create(AVFrame first, AVStream stream, FrameSpec spec, String uri)
            throws VideoRejectedException {
        AVFilterGraph graph = avfilter_graph_alloc();
        graph.nb_threads(spec.decoderThreads());
        AVRational tb = stream.time_base();
        AVRational sar = first.sample_aspect_ratio();
        AVRational rate = stream.avg_frame_rate();
        String args = String.format(Locale.ROOT, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d",
                first.width(), first.height(), first.format(), tb.num(), tb.den(), sar.num(), Math.max(sar.den(), 1));
        if (rate.num() > 0 && rate.den() > 0) {
            args += ":frame_rate=" + rate.num() + "/" + rate.den();
        }
        AVFilterContext source = new AVFilterContext();
        AVFilterContext sink = new AVFilterContext();
        AVFilterInOut outputs = avfilter_inout_alloc();
        AVFilterInOut inputs = avfilter_inout_alloc();
        try {
            int ret = avfilter_graph_create_filter(source, avfilter_get_by_name("buffer"), "in", args, null, graph);
            check(ret, "buffer source (" + args + ")", uri);
            ret = avfilter_graph_create_filter(sink, avfilter_get_by_name("buffersink"), "out", null, null, graph);
            check(ret, "buffer sink", uri);
            outputs.name(new BytePointer(av_strdup("in"))).filter_ctx(source).pad_idx(0).next(null);
            inputs.name(new BytePointer(av_strdup("out"))).filter_ctx(sink).pad_idx(0).next(null);
            ret = avfilter_graph_parse_ptr(graph, spec.filterChain(), inputs, outputs, null);
            check(ret, "filter chain " + spec.filterChain(), uri);
            check(avfilter_graph_config(graph, null), "filter graph configuration", uri);
        } catch (VideoRejectedException e) {
            avfilter_graph_free(graph);
            throw e;
        } finally {
            avfilter_inout_free(inputs);
            avfilter_inout_free(outputs);
        }
        return new FilterPipeline(graph, source, sink, first);
    }

    boolean accepts(AVFrame frame) {
        return frame.width() == width && frame.height() == height && frame.format() == pixelFormat;
    }

    /** Hands the frame's buffers to the graph (no copy); the frame is left empty. */
    int push(AVFrame frame) {
        return av_buffersrc_add_frame_flags(source, frame, 0);
    }

    /** Tells the graph no more frames come, so the fps filter releases what it holds. */
    void pushEnd() {
        if (!endSent) {
            endSent = true;
            av_buffersrc_add_frame_flags(source, null, 0);
        }
    }

    /** Next output frame: >= 0 on success, AVERROR(EAGAIN) when it needs input, AVERROR_EOF at the end. */
    int pull(AVFrame out) {
        return av_buffersink_get_frame(sink, out);
    }

    private static void check(int ret, String what, String uri) throws VideoRejectedException {
        if (ret < 0) {
            throw new VideoRejectedException(RejectReason.UNDECODABLE,
                    uri + ": cannot set up " + what + " (ffmpeg: " + VideoReader.errorText(ret) + ")");
        }
    }

    @Override
    public void close() {
        if (graph != null) {
            avfilter_graph_free(graph);
            graph = null;
        }
    }
}
