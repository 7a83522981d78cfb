package dev.jdm.abi.mem;

import dev.jdm.abi.Provided;

/**
 * A module's memory use at one moment.
 *
 * @param kmallocObjects live kmalloc objects
 * @param kmallocBytes bytes requested by live kmalloc objects
 * @param vmallocRegions live vmalloc regions
 * @param vmallocBytes bytes of live vmalloc regions, page-rounded
 */
@Provided
public record MemStats(long kmallocObjects, long kmallocBytes, long vmallocRegions, long vmallocBytes) {}
