package dev.jdm.abi;

/**
 * What the host a module runs on serves ({@code ModuleContext.abi()}): for a module that states a
 * lower minimum generation than the one it was built against, and probes before it uses something
 * newer, as a WDF driver asks {@code WDF_IS_FUNCTION_AVAILABLE} before calling a function.
 *
 * <pre>
 * if (ctx.abi().exports("dev.jdm.abi.blk.BlockDevice$Builder#registerQueue(Ldev/jdm/abi/blk/BlockQueueDriver;)Ldev/jdm/abi/blk/BlockDevice;")) {
 *     builder.registerQueue(this::submitBatch);
 * } else {
 *     builder.register(this::submit);
 * }
 * </pre>
 */
@Provided
@Since("JDM_1.1")
public interface AbiInfo {
    /** The newest generation this host serves, e.g. {@code JDM_1.1}. */
    String generation();

    /** Whether this host serves modules built against {@code generation} (its own or a released older one). */
    boolean serves(String generation);

    /**
     * Whether this host exports {@code symbol}, named as {@code jdm abi dump} prints it: a type
     * ({@code dev.jdm.abi.blk.BlockBatch}), {@code Type#method(desc)ret} or {@code Type#field:desc}.
     * A malformed name is simply not exported.
     */
    boolean exports(String symbol);
}
