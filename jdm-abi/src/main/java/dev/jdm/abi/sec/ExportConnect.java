package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/**
 * The object of {@code export_connect}: a client connects to an export (an NBD client to an LU).
 *
 * @param export export name
 * @param transport {@code unix}, {@code tcp} or {@code tls}
 * @param peer the peer as the transport describes it (address, or credentials for unix)
 */
@Provided
public record ExportConnect(String export, String transport, String peer) {}
