package org.longspark.data;

import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hadoop.fs.FSDataInputStream;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Feeds FFmpeg's demuxers from a Hadoop {@link FSDataInputStream} through a custom AVIO context,
 * so any Hadoop URI (hdfs://, file://, object stores) is read by streaming, with real seeks (an
 * mp4 whose index sits at the end needs them).
 *
 * <p>JavaCPP callbacks are native thunks, of which only a few instances may exist, so one static
 * read and one static seek callback serve every open input, found by their opaque handle.
 */
final class HadoopAvioInput implements AutoCloseable {
    /** AVERROR(EIO) on Linux: tells FFmpeg the read failed rather than ended. */
    private static final int AVERROR_EIO = -5;
    private static final int BUFFER_BYTES = 64 * 1024;

    private static final Map<Long, HadoopAvioInput> OPEN = new ConcurrentHashMap<>();
    private static final ReadCallback READ = new ReadCallback().retainReference();
    private static final SeekCallback SEEK = new SeekCallback().retainReference();

    private final FSDataInputStream in;
    private final long length;
    private final String uri;
    private final byte[] chunk = new byte[BUFFER_BYTES];
    private final Pointer handle;
    private AVIOContext context;
    private volatile IOException readFailure;
    private boolean closed;

    HadoopAvioInput(FSDataInputStream in, long length, String uri) {
        this.in = in;
        this.length = length;
        this.uri = uri;
        this.handle = av_malloc(1);
        OPEN.put(handle.address(), this);
        BytePointer buffer = new BytePointer(av_malloc(BUFFER_BYTES));
        this.context = avio_alloc_context(buffer, BUFFER_BYTES, 0, handle, READ, null, SEEK);
        if (context == null || context.isNull()) {
            close();
            throw new IllegalStateException("avio_alloc_context failed for " + uri);
        }
    }

    AVIOContext context() {
        return context;
    }

    /** The I/O error that made FFmpeg stop reading, if any: the file is unreadable, not corrupt. */
    IOException readFailure() {
        return readFailure;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        OPEN.remove(handle.address());
        if (context != null) {
            // FFmpeg may have replaced the buffer; free whatever it holds now.
            av_free(context.buffer());
            context.buffer(null);
            avio_context_free(context);
            context = null;
        }
        av_free(handle);
        try {
            in.close();
        } catch (IOException e) {
            // Reading is over; a failing close cannot change what was decoded.
        }
    }

    private int read(BytePointer buf, int size) {
        try {
            int n = in.read(chunk, 0, Math.min(size, chunk.length));
            if (n < 0) {
                return AVERROR_EOF;
            }
            buf.position(0).put(chunk, 0, n);
            return n;
        } catch (IOException e) {
            readFailure = new IOException("read failed at byte " + position() + " of " + uri + ": " + e.getMessage(), e);
            return AVERROR_EIO;
        }
    }

    private long seek(long offset, int whence) {
        if ((whence & AVSEEK_SIZE) != 0) {
            return length;
        }
        try {
            long target = switch (whence & 3) {
                case 0 -> offset;
                case 1 -> in.getPos() + offset;
                case 2 -> length + offset;
                default -> -1;
            };
            if (target < 0 || target > length) {
                return -1;
            }
            in.seek(target);
            return target;
        } catch (EOFException e) {
            return -1;
        } catch (IOException e) {
            readFailure = new IOException("seek failed in " + uri + ": " + e.getMessage(), e);
            return AVERROR_EIO;
        }
    }

    private long position() {
        try {
            return in.getPos();
        } catch (IOException e) {
            return -1;
        }
    }

    private static final class ReadCallback extends Read_packet_Pointer_BytePointer_int {
        @Override
        public int call(Pointer opaque, BytePointer buf, int size) {
            HadoopAvioInput input = OPEN.get(opaque.address());
            return input == null ? AVERROR_EIO : input.read(buf, size);
        }
    }

    private static final class SeekCallback extends Seek_Pointer_long_int {
        @Override
        public long call(Pointer opaque, long offset, int whence) {
            HadoopAvioInput input = OPEN.get(opaque.address());
            return input == null ? AVERROR_EIO : input.seek(offset, whence);
        }
    }
}
