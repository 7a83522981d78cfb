package dev.jdm.host.export.nbd;

import dev.jdm.host.export.Export;

/**
 * What the handshake settled for the transmission phase.
 *
 * @param export the export served
 * @param structured structured replies (NBD_OPT_STRUCTURED_REPLY, or implied by extended headers)
 * @param extended extended headers (NBD_OPT_EXTENDED_HEADERS)
 * @param baseAllocation the {@code base:allocation} context was selected for this export
 * @param alignment the minimum block size the client agreed to honour (1 if it did not ask)
 * @param maxPayload the maximum payload advertised
 * @param flags the transmission flags sent
 */
record Session(Export export, boolean structured, boolean extended, boolean baseAllocation, int alignment,
        int maxPayload, int flags) {}
