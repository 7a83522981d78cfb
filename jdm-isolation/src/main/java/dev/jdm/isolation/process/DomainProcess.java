package dev.jdm.isolation.process;

import dev.jdm.isolation.channel.ControlChannel;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A started, confined domain process: its pid, its control channel, what it reported when ready,
 * and its end ({@link ExitStatus}, exit code or signal), delivered to listeners exactly once.
 */
public final class DomainProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final ControlChannel channel;
    private final BootProtocol.Ready ready;
    private final CompletableFuture<ExitStatus> exit;

    DomainProcess(String name, Process process, PidFd pidfd, ControlChannel channel, BootProtocol.Ready ready) {
        this.name = name;
        this.process = process;
        this.channel = channel;
        this.ready = ready;
        this.exit = exitOf(process, pidfd);
    }

    static CompletableFuture<ExitStatus> exitOf(Process process, PidFd pidfd) {
        return process.onExit().thenApply(p -> {
            ExitStatus s = pidfd == null ? null : pidfd.exitStatus();
            if (pidfd != null) {
                pidfd.close();
            }
            return s != null ? s : ExitStatus.fromExitValue(p.exitValue());
        });
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** The uid the domain runs as, as it reported. */
    public int uid() {
        return ready.uid();
    }

    public int gid() {
        return ready.gid();
    }

    /** The Landlock ABI the domain is confined with; 0 when it started without (opt-out). */
    public int landlockAbi() {
        return ready.landlockAbi();
    }

    /** The control channel: send regions, doorbells and opened files as descriptors. */
    public ControlChannel channel() {
        return channel;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Calls {@code listener} with the exit status when the process ends (at once if it has). */
    public void onExit(Consumer<ExitStatus> listener) {
        exit.thenAccept(listener);
    }

    /** Waits up to {@code timeoutMillis} for the end. */
    public ExitStatus waitFor(long timeoutMillis) throws InterruptedException, TimeoutException {
        try {
            return exit.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("domain " + name + ": exit status unavailable", e.getCause());
        }
    }

    /** SIGKILL. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Kills the process if it still runs and closes the channel. */
    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            exit.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Reported by the exit listeners, if any; closing goes on.
        }
        channel.close();
    }
}
