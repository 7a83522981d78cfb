package dev.jdm.hw.emu.uart;

/**
 * A bounded ring of bytes, each with a flag (the receive FIFO keeps a character's framing error with
 * it, as the 16550 does, so the error shows in LSR when that character reaches the top). Not
 * thread-safe.
 */
final class ByteFifo {
    private final int[] slots;
    private int head;
    private int size;

    ByteFifo(int capacity) {
        slots = new int[capacity];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int capacity() {
        return slots.length;
    }

    /** Appends; the caller has checked there is room. */
    void add(int b, boolean flag) {
        slots[(head + size) % slots.length] = (b & 0xff) | (flag ? 0x100 : 0);
        size++;
    }

    /** Replaces the newest entry (a 16450-mode overrun overwrites the holding register). */
    void replaceLast(int b, boolean flag) {
        slots[(head + size - 1) % slots.length] = (b & 0xff) | (flag ? 0x100 : 0);
    }

    /** The oldest byte; the FIFO is not empty. */
    int peek() {
        return slots[head] & 0xff;
    }

    /** Whether the oldest byte carries its flag; false when empty. */
    boolean peekFlag() {
        return size > 0 && (slots[head] & 0x100) != 0;
    }

    /** Removes and returns the oldest byte; the FIFO is not empty. */
    int remove() {
        int b = slots[head] & 0xff;
        head = (head + 1) % slots.length;
        size--;
        return b;
    }

    /** Whether any entry carries its flag. */
    boolean anyFlag() {
        for (int i = 0; i < size; i++) {
            if ((slots[(head + i) % slots.length] & 0x100) != 0) {
                return true;
            }
        }
        return false;
    }

    void clear() {
        head = 0;
        size = 0;
    }
}
