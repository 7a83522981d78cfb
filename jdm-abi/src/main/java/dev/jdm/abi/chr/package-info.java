/**
 * The character-device ABI: device nodes with file operations, typed calls and legacy ioctls.
 *
 * <p>A driver describes a node on {@link dev.jdm.abi.chr.CharLayer#device} (number, owner, group,
 * mode, and optionally a typed call interface) and registers a {@link dev.jdm.abi.chr.CharDriver}.
 * Each open gives the driver a {@link dev.jdm.abi.chr.CharOpen} and gets back a
 * {@link dev.jdm.abi.chr.CharFile}: the open file's own state, as a Linux driver keeps it in
 * {@code file->private_data}.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>File operations never block in the driver. A read or write that cannot progress returns
 *       {@code -EAGAIN}; the host answers a non-blocking open with EAGAIN and makes a blocking one
 *       wait until the driver calls {@link dev.jdm.abi.chr.CharDevice#wake()}, then asks again. So a
 *       reader that goes away while it waits is released by the host, without the driver's help.
 *   <li>An exclusive open ({@link dev.jdm.abi.chr.CharOpen#EXCL}) succeeds only while no other open
 *       file of the node is exclusive; the second exclusive opener gets EBUSY. The driver sees the
 *       flag and decides what exclusivity means for its data (kbd0 delivers input to the holder only).
 *   <li>{@link dev.jdm.abi.chr.CharFile#release()} runs exactly once per successful open: when the
 *       file is closed, when its task's connection ends, or when the module goes.
 *   <li>The host checks access ({@code dev_open}, {@code file_permission}, {@code chr_call}) before
 *       the driver is called; a read on a file opened write-only never reaches it.
 * </ul>
 *
 * <h2>Typed calls rather than ioctls</h2>
 * A typed call is a method of a Java interface the driver declares: one record in, one record out,
 * its errors declared with {@link dev.jdm.abi.chr.Raises}. The host derives a language-neutral schema
 * from the records and fingerprints it, so a client built against a changed shape is refused before
 * anything runs. An ioctl carries only a number and bytes whose meaning nobody can check; it is kept
 * ({@link dev.jdm.abi.chr.CharFile#ioctl}, {@link dev.jdm.abi.chr.Ioctl}) so that existing
 * ioctl-style protocols can be carried.
 */
package dev.jdm.abi.chr;
