/**
 * Exports: block devices made reachable to clients outside the host. {@link dev.jdm.host.export.ExportableDevice}
 * is the narrow face a device shows to an export protocol (the NBD server in
 * {@link dev.jdm.host.export.nbd}); {@link dev.jdm.host.export.ExportRegistry} names the exports;
 * {@link dev.jdm.host.export.ExportAccess} is the security hook every connection and request passes.
 */
package dev.jdm.host.export;
