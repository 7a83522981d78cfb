/**
 * ABI stability across host releases: released generations frozen as baselines, revocations, and
 * the check that the ABI being built still serves every module built against a released one.
 *
 * <p>A module built against a released generation carries that generation's fingerprints. The
 * host accepts them as long as the released baseline lists them, because {@link AbiCheck} (run by
 * the build) refuses every change to a released symbol that could break such a module.
 */
package dev.jdm.symvers.stability;
