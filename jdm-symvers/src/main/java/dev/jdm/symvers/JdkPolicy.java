package dev.jdm.symvers;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which JDK classes and members a driver module may use. Drivers reach files, the network,
 * processes and native code only through grants, so the JDK APIs for those are refused, and so
 * is everything that escapes the module's class loader (reflection, class loading) or the host's
 * control (exit, threads, Unsafe). An allow-list: what is not named here is refused.
 *
 * <p>A module that declares native code ({@code @DriverModule(nativeCode = true)}, modinfo
 * {@code native=y}) gets {@link #forNativeCode()}: its C can open files and call anything, so
 * refusing the same from its Java would protect nothing. The native linker, arenas, raw
 * addresses, method handles (for upcalls), files and its own resources are allowed; what keeps it
 * is the kernel, which is why such a module runs only where the kernel confines it, or where the
 * operator allows it. Processes, exit, threads, reflection and class loading stay refused: they
 * reach past the module's class loader and the host's control, not past the kernel.
 */
public final class JdkPolicy {
    /** Refusals a native-code module is spared: what its own C could do anyway. */
    private static final Set<String> NATIVE_OPEN_CLASSES = Set.of(
            "java/lang/foreign/Linker", "java/lang/foreign/SymbolLookup", "java/lang/foreign/Arena",
            "java/lang/invoke/MethodHandles", "java/lang/invoke/MethodHandles$Lookup", "java/lang/invoke/VarHandle");
    private static final Set<String> NATIVE_OPEN_MEMBERS = Set.of(
            "java/lang/foreign/MemorySegment#reinterpret", "java/lang/foreign/MemorySegment#ofAddress",
            "java/lang/Class#getResource", "java/lang/Class#getResourceAsStream");
    private static final Set<String> NATIVE_OPEN_PACKAGES = Set.of("java/io", "java/nio/file", "java/nio/file/attribute", "java/nio/channels");

    private final boolean nativeCode;

    /** The policy for ordinary modules. */
    public JdkPolicy() {
        this(false);
    }

    private JdkPolicy(boolean nativeCode) {
        this.nativeCode = nativeCode;
    }

    /** The policy for a module that declares native code. */
    public static JdkPolicy forNativeCode() {
        return new JdkPolicy(true);
    }

    /** The policy {@code info} asks for: native code if it declares {@code native=y}. */
    public static JdkPolicy of(ModInfo info) {
        return new JdkPolicy(info.declaresNativeCode());
    }
    /** Packages whose classes are allowed unless refused below. */
    private static final Set<String> OPEN_PACKAGES = Set.of(
            "java/lang", "java/lang/annotation", "java/lang/ref", "java/lang/runtime", "java/lang/invoke",
            "java/lang/foreign", "java/util", "java/util/concurrent", "java/util/concurrent/atomic",
            "java/util/concurrent/locks", "java/util/function", "java/util/stream", "java/util/regex",
            "java/util/random", "java/time", "java/time/format", "java/time/temporal", "java/time/chrono",
            "java/math", "java/text", "java/nio", "java/nio/charset", "javax/crypto", "javax/crypto/spec");

    /** Single classes allowed from packages that are otherwise closed. */
    private static final Set<String> OPEN_CLASSES = Set.of(
            "java/io/IOException", "java/io/UncheckedIOException", "java/io/Closeable", "java/io/Flushable",
            "java/io/Serializable", "java/io/Serial", "java/io/EOFException", "java/io/InputStream",
            "java/io/OutputStream", "java/io/ByteArrayInputStream", "java/io/ByteArrayOutputStream",
            "java/io/DataInput", "java/io/DataOutput", "java/util/zip/CRC32", "java/util/zip/CRC32C",
            "java/util/zip/Adler32", "java/util/zip/Checksum", "java/security/MessageDigest",
            "java/security/SecureRandom", "java/security/NoSuchAlgorithmException",
            "java/security/GeneralSecurityException", "java/security/InvalidKeyException",
            "java/security/Key", "java/security/spec/AlgorithmParameterSpec");

    /** Classes refused even inside open packages, with the reason shown to the author. */
    private static final Map<String, String> CLOSED_CLASSES = Map.ofEntries(
            Map.entry("java/lang/Runtime", "it can exit the host, run programs and load native code"),
            Map.entry("java/lang/ProcessBuilder", "modules may not start processes"),
            Map.entry("java/lang/Process", "modules may not start processes"),
            Map.entry("java/lang/ProcessHandle", "modules may not see or signal processes"),
            Map.entry("java/lang/ClassLoader", "modules may not load classes behind the linker's back"),
            Map.entry("java/lang/Module", "reflection into other modules is refused"),
            Map.entry("java/lang/ModuleLayer", "reflection into other modules is refused"),
            Map.entry("java/lang/ThreadGroup", "modules get threads from the host, not by creating them"),
            Map.entry("java/lang/SecurityManager", "not supported"),
            Map.entry("java/lang/foreign/Linker", "native code is not part of the ABI; run untrusted code isolated"),
            Map.entry("java/lang/foreign/SymbolLookup", "native code is not part of the ABI"),
            Map.entry("java/lang/foreign/Arena", "allocate through ModuleContext.kmem() so memory is accounted"),
            Map.entry("java/lang/ref/Cleaner", "it starts a thread the host cannot stop"),
            Map.entry("java/util/ServiceLoader", "it loads classes behind the linker's back"),
            Map.entry("java/util/Timer", "it starts a thread the host cannot stop"),
            Map.entry("java/util/Scanner", "it can open files"),
            Map.entry("java/util/Formatter", "it can open files; use String.format"),
            Map.entry("java/util/concurrent/Executors", "it starts threads the host cannot stop"),
            Map.entry("java/util/concurrent/ThreadPoolExecutor", "it starts threads the host cannot stop"),
            Map.entry("java/util/concurrent/ScheduledThreadPoolExecutor", "it starts threads the host cannot stop"),
            Map.entry("java/util/concurrent/ForkJoinPool", "it starts threads the host cannot stop"),
            Map.entry("java/nio/MappedByteBuffer", "file mapping comes through grants"),
            Map.entry("java/lang/invoke/MethodHandles", "reflective lookups are refused"),
            Map.entry("java/lang/invoke/MethodHandles$Lookup", "reflective lookups are refused"),
            Map.entry("java/lang/invoke/VarHandle", "reflective access is refused; use java.util.concurrent.atomic"));

    /** Types that may appear in descriptors (bootstrap methods) although their members are refused. */
    private static final Set<String> DESCRIPTOR_ONLY = Set.of(
            "java/lang/invoke/MethodHandles$Lookup", "java/lang/invoke/MethodHandles");

    /** Members refused in otherwise open classes ({@code Owner#name}), with the reason. */
    private static final Map<String, String> CLOSED_MEMBERS = Map.ofEntries(
            Map.entry("java/lang/System#exit", "System.exit would stop the host; throw from init instead"),
            Map.entry("java/lang/System#getenv", "the host's environment is not the module's"),
            Map.entry("java/lang/System#setProperty", "modules may not change host properties"),
            Map.entry("java/lang/System#clearProperty", "modules may not change host properties"),
            Map.entry("java/lang/System#setProperties", "modules may not change host properties"),
            Map.entry("java/lang/System#load", "native code is not part of the ABI"),
            Map.entry("java/lang/System#loadLibrary", "native code is not part of the ABI"),
            Map.entry("java/lang/System#setIn", "modules may not redirect host streams"),
            Map.entry("java/lang/System#setOut", "modules may not redirect host streams"),
            Map.entry("java/lang/System#setErr", "modules may not redirect host streams"),
            Map.entry("java/lang/System#out", "log through ModuleContext.log()"),
            Map.entry("java/lang/System#err", "log through ModuleContext.log()"),
            Map.entry("java/lang/System#in", "modules have no console"),
            Map.entry("java/lang/System#console", "modules have no console"),
            Map.entry("java/lang/System#inheritedChannel", "network I/O comes through grants"),
            Map.entry("java/lang/System#getLogger", "log through ModuleContext.log()"),
            Map.entry("java/lang/Class#forName", "reflection and class loading are refused"),
            Map.entry("java/lang/Class#getClassLoader", "reflection and class loading are refused"),
            Map.entry("java/lang/Class#getModule", "reflection into other modules is refused"),
            Map.entry("java/lang/Class#newInstance", "reflection is refused"),
            Map.entry("java/lang/Class#getProtectionDomain", "reflection is refused"),
            Map.entry("java/lang/Class#getResource", "resources come through the module context"),
            Map.entry("java/lang/Class#getResourceAsStream", "resources come through the module context"),
            Map.entry("java/lang/foreign/MemorySegment#reinterpret", "widening a segment reaches memory the module was not given"),
            Map.entry("java/lang/foreign/MemorySegment#ofAddress", "raw addresses are not part of the ABI"));

    /** Prefixes of {@code Class} members that reflect. */
    private static final Set<String> REFLECTIVE_CLASS_MEMBERS = Set.of(
            "getDeclared", "getMethod", "getField", "getConstructor", "getRecordComponents", "getEnclosingMethod",
            "getEnclosingConstructor");

    /** Thread members a module may use; the rest create or control threads. */
    private static final Set<String> THREAD_MEMBERS = Set.of(
            "currentThread", "sleep", "onSpinWait", "interrupted", "isInterrupted", "interrupt", "getName",
            "threadId", "isVirtual", "yield");

    private final Map<String, Boolean> jdkHasClass = new ConcurrentHashMap<>();

    /** Why a class may not be used, or empty if it may. */
    public Optional<String> checkClass(String internalName) {
        return checkClass(internalName, false);
    }

    /** As {@link #checkClass(String)}, but allowing descriptor-only types when {@code inDescriptor}. */
    public Optional<String> checkClass(String internalName, boolean inDescriptor) {
        if (inDescriptor && DESCRIPTOR_ONLY.contains(internalName)) {
            return Optional.empty();
        }
        if (nativeCode && (NATIVE_OPEN_CLASSES.contains(internalName) || NATIVE_OPEN_PACKAGES.contains(packageOf(internalName)))) {
            return existsInJdk(internalName) ? Optional.empty() : Optional.of("no such JDK class");
        }
        String closed = CLOSED_CLASSES.get(internalName);
        if (closed != null) {
            return Optional.of(closed);
        }
        int slash = internalName.lastIndexOf('/');
        String pkg = slash < 0 ? "" : internalName.substring(0, slash);
        if (!OPEN_PACKAGES.contains(pkg) && !OPEN_CLASSES.contains(internalName)) {
            if (pkg.startsWith("java/io") || pkg.startsWith("java/nio/file") || pkg.startsWith("java/nio/channels")) {
                return Optional.of("direct file I/O is refused; drivers get files and devices through grants");
            }
            if (pkg.startsWith("java/net") || pkg.startsWith("javax/net")) {
                return Optional.of("direct network I/O is refused; drivers get connections through grants");
            }
            if (pkg.startsWith("java/lang/reflect")) {
                return Optional.of("reflection is refused");
            }
            if (pkg.startsWith("sun/") || pkg.startsWith("jdk/") || pkg.startsWith("com/sun/")) {
                return Optional.of("JDK internals (Unsafe and the like) are refused");
            }
            return Optional.of("package " + pkg.replace('/', '.') + " is not among the JDK packages modules may use");
        }
        if (!existsInJdk(internalName)) {
            return Optional.of("no such JDK class");
        }
        return Optional.empty();
    }

    /** Why a member of an allowed JDK class may not be used, or empty if it may. */
    public Optional<String> checkMember(String ownerInternal, String name) {
        if (nativeCode && (NATIVE_OPEN_MEMBERS.contains(ownerInternal + "#" + name) || ownerInternal.startsWith("java/lang/invoke/")
                || NATIVE_OPEN_PACKAGES.contains(packageOf(ownerInternal)))) {
            return Optional.empty();
        }
        String closed = CLOSED_MEMBERS.get(ownerInternal + "#" + name);
        if (closed != null) {
            return Optional.of(closed);
        }
        if (ownerInternal.equals("java/lang/Class") && REFLECTIVE_CLASS_MEMBERS.stream().anyMatch(name::startsWith)) {
            return Optional.of("reflection is refused");
        }
        if (ownerInternal.equals("java/lang/Thread") && !THREAD_MEMBERS.contains(name)) {
            return Optional.of("modules may not create or control threads; the host runs their work");
        }
        if (ownerInternal.startsWith("java/lang/invoke/") && !ownerInternal.equals("java/lang/invoke/LambdaMetafactory")
                && !ownerInternal.equals("java/lang/invoke/StringConcatFactory")) {
            return Optional.of("method handles and reflective lookups are refused (lambdas and string concatenation are fine)");
        }
        return Optional.empty();
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash);
    }

    private boolean existsInJdk(String internalName) {
        return jdkHasClass.computeIfAbsent(internalName,
                n -> ClassLoader.getPlatformClassLoader().getResource(n + ".class") != null);
    }

    /** Whether the name lies in a JDK namespace at all (java, javax, jdk, sun, com.sun). */
    public static boolean isJdkName(String internalName) {
        return internalName.startsWith("java/") || internalName.startsWith("javax/") || internalName.startsWith("jdk/")
                || internalName.startsWith("sun/") || internalName.startsWith("com/sun/");
    }
}
