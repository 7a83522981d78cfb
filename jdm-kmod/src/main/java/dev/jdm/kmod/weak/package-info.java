/**
 * Weak updates: a module built for one kernel is symlinked into
 * {@code /lib/modules/OTHER/weak-updates/} of every other installed kernel whose kABI it fits,
 * as RHEL's {@code weak-modules} (kmod package) and SUSE's {@code weak-modules2}
 * (suse-module-tools) do. {@link dev.jdm.kmod.weak.WeakUpdates} is the entry point; the
 * verdicts come from {@link dev.jdm.kmod.compat.LoadChecker}, the indexes from
 * {@link dev.jdm.kmod.depmod.Depmod} or kmod's depmod.
 */
package dev.jdm.kmod.weak;
