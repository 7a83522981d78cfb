package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;
import java.util.Map;

/**
 * The object of {@code module_load} and {@code module_unload}.
 *
 * @param name module name from its modinfo
 * @param version module version, or ""
 * @param origin the file it came from, or a description
 * @param params parameters given at load time (empty for unload)
 * @param force whether the caller asked to override fingerprint or reference checks
 */
@Provided
public record ModuleOp(String name, String version, String origin, Map<String, String> params, boolean force) {}
