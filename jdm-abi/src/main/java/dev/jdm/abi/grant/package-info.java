/**
 * Resources the host grants a module. A module never opens paths itself: the host opens what the
 * module's load parameters (set by whoever loaded it) name, checks it, and hands over a handle.
 */
package dev.jdm.abi.grant;
