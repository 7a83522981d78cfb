package dev.jdm.dde.nbdkit;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that keeps every message, and where the test plugins were built. */
final class Recorder implements PluginListener {
    record Message(String plugin, Level level, String text) {}

    static final Path TEST_PLUGINS = Path.of(System.getProperty("dde.test.plugins", "target/test-plugins"));

    final List<Message> messages = new CopyOnWriteArrayList<>();

    @Override
    public void message(String plugin, Level level, String text) {
        messages.add(new Message(plugin, level, text));
    }

    List<String> debug() {
        return messages.stream().filter(m -> m.level() == Level.DEBUG).map(Message::text).toList();
    }

    List<String> errors() {
        return messages.stream().filter(m -> m.level() == Level.ERROR).map(Message::text).toList();
    }

    static String testPlugin(String name) {
        return TEST_PLUGINS.resolve("nbdkit-" + name + "-plugin.so").toString();
    }
}
