/**
 * The character-device layer: the node table ({@link dev.jdm.host.chr.CharRegistry}), each module's
 * face of it ({@code ModuleCharLayer}, attached by {@code CharService}), open files with their
 * waiting ({@link dev.jdm.host.chr.OpenFile}) and typed calls ({@link dev.jdm.host.chr.TypedCalls}).
 * Security is asked through {@link dev.jdm.host.chr.CharAccess}, which the wiring implements.
 */
package dev.jdm.host.chr;
