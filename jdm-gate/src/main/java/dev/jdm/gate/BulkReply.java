package dev.jdm.gate;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.jdm.gate.proto.DevReadReply;
import dev.jdm.gate.proto.Response;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a bulk read's bytes lie in its reply frame, found from the frame's first bytes: the host
 * writes a bulk {@code dev_read} reply as its other fields, then {@code dev_read { data }} running
 * to the frame's end (a gathering write; see the host's ReplyChannel). Any other layout is not a
 * bulk reply, and is parsed whole.
 *
 * @param fieldStart where the {@code dev_read} field begins (the fields before it are the head)
 * @param dataStart where the data begins
 * @param size the data's length
 */
record BulkReply(int fieldStart, int dataStart, int size) {
    /** Frame bytes enough to reach the data: id, version and the two tags and lengths. */
    static final int PREFIX = 64;
    private static final int DEV_READ_TAG = Response.DEV_READ_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int DATA_TAG = DevReadReply.DATA_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    /** The layout of a frame of {@code length} bytes that begins with {@code start}, or null if it is not a bulk reply. */
    static BulkReply find(ByteBuffer start, int length) {
        try {
            CodedInputStream c = CodedInputStream.newInstance(start.duplicate());
            while (!c.isAtEnd()) {
                int fieldStart = c.getTotalBytesRead();
                int tag = c.readTag();
                if (tag == DEV_READ_TAG) {
                    int inner = c.readRawVarint32();
                    int innerStart = c.getTotalBytesRead();
                    if (c.readTag() != DATA_TAG) {
                        return null;
                    }
                    int size = c.readRawVarint32();
                    int dataStart = c.getTotalBytesRead();
                    boolean toTheEnd = dataStart - innerStart + size == inner && dataStart + size == length;
                    return toTheEnd && size > 0 ? new BulkReply(fieldStart, dataStart, size) : null;
                }
                if (tag == 0 || !c.skipField(tag)) {
                    return null;
                }
            }
        } catch (IOException truncated) {
            // a field runs past the bytes at hand: not the host's bulk layout
        }
        return null;
    }
}
