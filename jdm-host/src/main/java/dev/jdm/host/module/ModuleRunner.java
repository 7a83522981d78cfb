package dev.jdm.host.module;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.LogLevel;
import dev.jdm.abi.ModuleContext;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.log.LogRing;
import java.lang.reflect.InvocationTargetException;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Runs module code, init and exit, each on a thread of its own with one time limit
 * ({@code module.init_timeout_ms}). The manager never holds its lock while this runs.
 */
final class ModuleRunner {
    private final LongSupplier timeoutMs;
    private final LogRing log;
    private final HostTaints taints;
    private final ModuleTable table;

    ModuleRunner(LongSupplier timeoutMs, LogRing log, HostTaints taints, ModuleTable table) {
        this.timeoutMs = timeoutMs;
        this.log = log;
        this.taints = taints;
        this.table = table;
    }

    /** Constructs the entry class with the module's context; any failure becomes one errno and line. */
    LoadableModule init(LoadedModule module, String entryClass) {
        return init(module, () -> {
            Class<?> entry = module.loader.loadClass(entryClass);
            return (LoadableModule) entry.getConstructor(ModuleContext.class).newInstance(module.context);
        });
    }

    /** Runs {@code body} as the module's init (here, or a call to where it runs), with the same limit and errors. */
    LoadableModule init(LoadedModule module, Callable<LoadableModule> body) {
        String name = module.name();
        long timeout = timeoutMs.getAsLong();
        Bounded<LoadableModule> run = new Bounded<>("init-" + name, body);
        try {
            return run.await(timeout);
        } catch (TimeoutException e) {
            run.thread.interrupt();
            throw new HostException(Errno.ETIMEDOUT, name + ": init did not return within " + timeout
                    + " ms (sysctl module.init_timeout_ms); the module was not loaded and its thread was interrupted");
        } catch (InterruptedException e) {
            run.thread.interrupt();
            Thread.currentThread().interrupt();
            throw new HostException(Errno.EINVAL, name + ": interrupted while waiting for init");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof InvocationTargetException ite ? ite.getCause() : e.getCause();
            if (cause instanceof HostException he) {
                throw he; // a host service refused the module during init (e.g. security.stack_locked): keep its errno
            }
            if (cause instanceof LinkageError || cause instanceof ReflectiveOperationException) {
                throw new HostException(Errno.ENOEXEC, name + ": cannot instantiate the entry class: " + cause);
            }
            ModuleTrace.lines(name, module.domain(), cause).forEach(l -> log.append(LogLevel.ERR, name, l));
            throw new HostException(Errno.EINVAL, name + ": init failed: " + cause);
        }
    }

    /** Runs the module's close(); a failure is logged, an overrun marks the module stuck. Never throws. */
    void exit(LoadedModule m) {
        LoadableModule instance = m.instance;
        if (instance == null) {
            return;
        }
        long timeout = timeoutMs.getAsLong();
        Bounded<Void> run = new Bounded<>("exit-" + m.name(), () -> {
            instance.close();
            return null;
        });
        try {
            run.await(timeout);
        } catch (TimeoutException e) {
            run.thread.interrupt();
            markStuck(m, run.thread, timeout);
        } catch (ExecutionException e) {
            log.append(LogLevel.ERR, "host", m.name() + ": exit failed: " + e.getCause() + "; unloading anyway");
            ModuleTrace.lines(m.name(), m.domain(), e.getCause()).forEach(l -> log.append(LogLevel.ERR, m.name(), l));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * An exit that outlived its time limit: the JVM cannot stop its thread, so the thread is renamed,
     * the module and host are tainted D, and lsmod lists the module (state going) until the thread ends.
     */
    private void markStuck(LoadedModule m, Thread thread, long timeout) {
        thread.setName("exit-" + m.name() + " (stuck)");
        taints.apply(m, EnumSet.of(Taint.STUCK_EXIT));
        table.stuck(m);
        log.append(LogLevel.ERR, "host", m.name() + ": exit did not return within " + timeout + " ms (module.init_timeout_ms); "
                + "unloading anyway, but its thread " + thread.getName() + " still runs; host tainted D");
        Thread.ofVirtual().name("exit-watch-" + m.name()).start(() -> {
            try {
                thread.join();
                table.unstuck(m);
                log.append(LogLevel.NOTICE, "host", m.name() + ": the stuck exit thread ended at last");
            } catch (InterruptedException ignored) {
                // the host is stopping
            }
        });
    }

    /** One piece of module code on a daemon platform thread (module code may block in native calls). */
    private static final class Bounded<T> {
        final FutureTask<T> task;
        final Thread thread;

        Bounded(String name, Callable<T> body) {
            this.task = new FutureTask<>(body);
            this.thread = Thread.ofPlatform().daemon().name(name).start(task);
        }

        T await(long timeoutMs) throws TimeoutException, ExecutionException, InterruptedException {
            return task.get(timeoutMs, TimeUnit.MILLISECONDS);
        }
    }
}
