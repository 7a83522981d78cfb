package dev.jdm.bench;

import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.Fingerprinter;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.Symbol;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Reading and fingerprinting the whole ABI from its class files, as the host does at start. Target: at most 200 ms. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 20)
@Fork(1)
public class FingerprintBench {
    private JarContents abiJar;

    @Setup
    public void setUp() {
        abiJar = JarContents.read(Path.of(AbiModel.fromClassPath().origin()));
    }

    @Benchmark
    public long fingerprintWholeAbi() {
        AbiModel abi = AbiModel.from(abiJar);
        Fingerprinter fp = new Fingerprinter(abi.world());
        long x = 0;
        for (Symbol s : abi.symbols()) {
            x ^= fp.fingerprint(s);
        }
        return x;
    }
}
