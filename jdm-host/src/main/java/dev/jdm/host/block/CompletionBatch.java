package dev.jdm.host.block;

import java.util.ArrayList;
import java.util.List;

/**
 * Completions made together on one thread: a domain LU's reaper finishes every request that one
 * wake-up brought back inside {@link #run}. Whoever hears of each completion may put its reaction
 * off to the end of the batch ({@link #defer}) and react once for all of them: the NBD server
 * then sends one write of replies per connection, not one write (or one wake-up of its writer
 * thread) per request.
 */
public final class CompletionBatch {
    /** A reaction put off to the end of a batch. */
    public interface Deferred {
        /** The batch that {@link #defer} was called in has ended, on the same thread. */
        void batchDone();
    }

    private static final ThreadLocal<List<Deferred>> OPEN = new ThreadLocal<>();

    private CompletionBatch() {}

    /**
     * Runs {@code completions} as one batch, then each reaction deferred in it, once, in the order
     * first deferred. Inside another batch it just runs them: the outer one ends them all.
     */
    public static void run(Runnable completions) {
        if (OPEN.get() != null) {
            completions.run();
            return;
        }
        List<Deferred> deferred = new ArrayList<>(4);
        OPEN.set(deferred);
        try {
            completions.run();
        } finally {
            OPEN.remove();
            RuntimeException first = null;
            for (Deferred d : deferred) {
                try {
                    d.batchDone();
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e; // the others still react: each holds replies that free a client's requests
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    /**
     * Puts {@code d} off to the end of this thread's batch, once however often it is asked; false
     * outside a batch, where the caller reacts now.
     */
    public static boolean defer(Deferred d) {
        List<Deferred> deferred = OPEN.get();
        if (deferred == null) {
            return false;
        }
        for (Deferred x : deferred) {
            if (x == d) {
                return true;
            }
        }
        deferred.add(d);
        return true;
    }
}
