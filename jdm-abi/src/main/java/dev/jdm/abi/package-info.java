/**
 * The module contract of the jdm ABI: the entry class, its description, its context and its log.
 *
 * <p>Every type here is marked {@link dev.jdm.abi.Provided} or {@link dev.jdm.abi.Implemented};
 * that mark decides which changes to a type break modules that use it.
 */
package dev.jdm.abi;
