package dev.jdm.gate;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.jdm.gate.proto.DevReadReply;
import dev.jdm.gate.proto.Response;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The layout of a bulk read's reply, written by the host and taken apart by clients, defined here
 * once: the reply's other fields, then {@link #dataFields} and the data running to the frame's end
 * (the host sends the data with one gathering write, without encoding it into a message; protobuf
 * merges the two encodings of {@code dev_read}). A client finds the data from the frame's first
 * bytes ({@link #find}); any other layout is not a bulk reply, and is parsed whole.
 *
 * @param fieldStart where the {@code dev_read} field begins (the fields before it are the head)
 * @param dataStart where the data begins
 * @param size the data's length
 */
public record BulkReply(int fieldStart, int dataStart, int size) {
    /** Frame bytes enough to reach the data: id, version and the two tags and lengths. */
    public static final int PREFIX = 64;
    private static final int DEV_READ_TAG = Response.DEV_READ_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int DATA_TAG = DevReadReply.DATA_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    /**
     * What the host writes between a bulk reply's other fields and its {@code n} bytes of data: the
     * {@code dev_read} field's tag and length, then the {@code data} field's tag and length.
     */
    public static ByteBuffer dataFields(int n) {
        int inner = CodedOutputStream.computeTagSize(DevReadReply.DATA_FIELD_NUMBER) + CodedOutputStream.computeUInt32SizeNoTag(n) + n;
        byte[] b = new byte[PREFIX];
        CodedOutputStream c = CodedOutputStream.newInstance(b);
        try {
            c.writeTag(Response.DEV_READ_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            c.writeUInt32NoTag(inner);
            c.writeTag(DevReadReply.DATA_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            c.writeUInt32NoTag(n);
        } catch (IOException e) {
            throw new IllegalStateException("four varints do not fit " + PREFIX + " bytes", e);
        }
        return ByteBuffer.wrap(b, 0, c.getTotalBytesWritten());
    }

    /** The layout of a frame of {@code length} bytes that begins with {@code start}, or null if it is not a bulk reply. */
    public static BulkReply find(ByteBuffer start, int length) {
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
