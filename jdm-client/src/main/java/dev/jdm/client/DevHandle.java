package dev.jdm.client;

import java.io.IOException;

/** An open file of a device on a client's connection, closed once. */
final class DevHandle {
    final DevClient client;
    final String node;
    final long id;
    private boolean closed;

    DevHandle(DevClient client, String node, long id) {
        this.client = client;
        this.node = node;
        this.id = id;
    }

    void checkOpen() throws IOException {
        if (closed) {
            throw new IOException(node + ": stream closed");
        }
    }

    void close() {
        if (!closed) {
            closed = true;
            client.close(id);
        }
    }
}
