/**
 * Stackable security modules (LxDM-SM): a module registers a {@link dev.jdm.abi.sec.SecurityModule}
 * through {@link dev.jdm.abi.ModuleContext#security()}, and the host consults every registered
 * module on every hook. An access succeeds only if no enforcing module denies it; the order in which
 * modules were registered never changes the outcome or the reason reported.
 */
package dev.jdm.abi.sec;
