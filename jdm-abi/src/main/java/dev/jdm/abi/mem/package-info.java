/** Module memory: kmalloc slabs and vmalloc regions, handed out as {@code MemorySegment}s. */
package dev.jdm.abi.mem;
