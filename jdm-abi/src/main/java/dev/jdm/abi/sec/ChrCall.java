package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/**
 * The object of {@code chr_call}: a typed call or an ioctl on a character device.
 *
 * @param device device name
 * @param call the typed call's name, or {@code "ioctl"}
 * @param command the ioctl command number, or 0 for a typed call
 */
@Provided
public record ChrCall(String device, String call, long command) {}
