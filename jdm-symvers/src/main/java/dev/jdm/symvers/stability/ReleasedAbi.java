package dev.jdm.symvers.stability;

import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.SymversException;
import java.util.Collection;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An ABI build together with what it promises: the generation it serves, the released baselines
 * it carries ({@code META-INF/jdm/baselines/*.symvers}) and the revocations
 * ({@code META-INF/jdm/revoked.toml}). A host serves its own generation and every released one.
 */
public final class ReleasedAbi {
    private static final String BASELINES = "baselines/";
    private static final String REVOKED = "revoked.toml";

    private final AbiModel abi;
    private final Generation current;
    private final NavigableMap<Generation, Baseline> baselines;
    private final Revocations revocations;

    private ReleasedAbi(AbiModel abi, Generation current, NavigableMap<Generation, Baseline> baselines, Revocations revocations) {
        this.abi = abi;
        this.current = current;
        this.baselines = baselines;
        this.revocations = revocations;
    }

    /**
     * Reads the promises an ABI build carries.
     *
     * @throws SymversException if its generation, a baseline or the revocations are malformed
     */
    public static ReleasedAbi of(AbiModel abi) {
        Generation current = Generation.parse(abi.generation());
        NavigableMap<Generation, Baseline> baselines = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : abi.metadata().entrySet()) {
            if (e.getKey().startsWith(BASELINES) && e.getKey().endsWith(".symvers")) {
                Baseline b = Baseline.parse(e.getValue(), abi.origin() + "!META-INF/jdm/" + e.getKey());
                String expected = BASELINES + b.generation() + ".symvers";
                if (!e.getKey().equals(expected)) {
                    throw new SymversException(abi.origin() + ": META-INF/jdm/" + e.getKey() + " holds generation " + b.generation()
                            + "; it must be named " + expected);
                }
                if (b.generation().isAfter(current)) {
                    throw new SymversException(abi.origin() + ": carries a baseline of " + b.generation()
                            + ", newer than the generation it serves (" + current + ")");
                }
                baselines.put(b.generation(), b);
            }
        }
        byte[] revoked = abi.metadata().get(REVOKED);
        Revocations revocations = revoked == null ? Revocations.none() : Revocations.parse(revoked, abi.origin() + "!META-INF/jdm/" + REVOKED);
        return new ReleasedAbi(abi, current, baselines, revocations);
    }

    /** The ABI build. */
    public AbiModel abi() {
        return abi;
    }

    /** The generation this build serves: the newest released one, or the one being developed. */
    public Generation current() {
        return current;
    }

    /** Whether the generation this build serves is released (frozen) already. */
    public boolean currentIsReleased() {
        return baselines.containsKey(current);
    }

    /** The released baselines, oldest first. */
    public Collection<Baseline> baselines() {
        return baselines.values();
    }

    /** The baseline of a released generation. */
    public Optional<Baseline> baseline(Generation generation) {
        return Optional.ofNullable(baselines.get(generation));
    }

    /**
     * The jdm-abi JAR a generation was released as ({@code META-INF/jdm/baselines/G.jar}), if this
     * build carries it: its classes let a later check read facts that the baseline's older
     * expansion format did not record.
     */
    public Optional<AbiModel> frozen(Generation generation) {
        byte[] jar = abi.metadata().get(BASELINES + generation + ".jar");
        return jar == null ? Optional.empty()
                : Optional.of(AbiModel.from(dev.jdm.symvers.JarContents.read(jar, abi.origin() + "!META-INF/jdm/" + BASELINES + generation + ".jar")));
    }

    /** The newest released generation, if any is released. */
    public Optional<Generation> latestReleased() {
        return baselines.isEmpty() ? Optional.empty() : Optional.of(baselines.lastKey());
    }

    /** The revoked symbols. */
    public Revocations revocations() {
        return revocations;
    }

    /**
     * Whether a module built against {@code generation} may load: it is this build's generation,
     * or a released one before it.
     */
    public boolean serves(Generation generation) {
        return generation.equals(current) || (!generation.isAfter(current) && baselines.containsKey(generation));
    }

    /** The generation that introduced a symbol: the first baseline listing it, else the current one. */
    public Generation since(Symbol symbol) {
        for (Baseline b : baselines.values()) {
            var row = b.get(symbol);
            if (row.isPresent()) {
                return row.get().since();
            }
        }
        return current;
    }
}
