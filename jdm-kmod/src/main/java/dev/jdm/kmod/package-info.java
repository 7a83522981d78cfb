/**
 * Linux kernel module (.ko) tooling: the library that the {@code jdm kmod} commands sit on.
 *
 * <ul>
 *   <li>{@link dev.jdm.kmod.elf} reads ELF files, hardened against malformed input;</li>
 *   <li>{@link dev.jdm.kmod.io} opens module files, decompressing .ko.xz/.ko.zst/.ko.gz;</li>
 *   <li>{@link dev.jdm.kmod.modinfo} is modinfo, signatures and built-in modules;</li>
 *   <li>{@link dev.jdm.kmod.symbols} is modversions, exports and Module.symvers;</li>
 *   <li>{@link dev.jdm.kmod.depmod} writes kmod-compatible module indexes;</li>
 *   <li>{@link dev.jdm.kmod.compat} answers "will it load?" and diffs two kABIs.</li>
 * </ul>
 * Like kmod, the library does the work and the {@link dev.jdm.kmod.cli} commands stay thin.
 */
package dev.jdm.kmod;
