/**
 * Emulated USB devices as a host's bus sees them through a root hub port, one call per
 * transaction-level operation: {@link dev.jdm.hw.emu.usb.EmulatedUsbDevice} with synchronous
 * control transfers and asynchronous bulk and interrupt {@link dev.jdm.hw.emu.usb.Transfer}s, and
 * the first device, {@link dev.jdm.hw.emu.usb.CdcAcmDevice}. USB 2.0 chapter 9 and CDC 1.2 / PSTN
 * 1.2 are the specs followed; docs/hw/usb.md says what is emulated and what is not.
 */
package dev.jdm.hw.emu.usb;
