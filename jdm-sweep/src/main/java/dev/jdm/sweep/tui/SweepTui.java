package dev.jdm.sweep.tui;

import com.googlecode.lanterna.gui2.BasicWindow;
import com.googlecode.lanterna.gui2.Borders;
import com.googlecode.lanterna.gui2.Button;
import com.googlecode.lanterna.gui2.CheckBoxList;
import com.googlecode.lanterna.gui2.Direction;
import com.googlecode.lanterna.gui2.EmptySpace;
import com.googlecode.lanterna.gui2.Label;
import com.googlecode.lanterna.gui2.LinearLayout;
import com.googlecode.lanterna.gui2.MultiWindowTextGUI;
import com.googlecode.lanterna.gui2.Panel;
import com.googlecode.lanterna.gui2.RadioBoxList;
import com.googlecode.lanterna.gui2.Window;
import com.googlecode.lanterna.gui2.WindowListenerAdapter;
import com.googlecode.lanterna.gui2.dialogs.MessageDialog;
import com.googlecode.lanterna.gui2.dialogs.MessageDialogButton;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.DefaultTerminalFactory;
import dev.jdm.sweep.DeviceInfo;
import dev.jdm.sweep.Progress;
import dev.jdm.sweep.Sizes;
import dev.jdm.sweep.SweepDevice;
import dev.jdm.sweep.SweepDevices;
import dev.jdm.sweep.SweepException;
import dev.jdm.sweep.SweepOptions;
import dev.jdm.sweep.SweepPlan;
import dev.jdm.sweep.Sweeper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The terminal interface, after DSweeper's window: method and verify options on top, the devices
 * with check boxes below, a banner saying whether anything will be written, a Start key (S or the
 * button) and live progress. Tab moves between parts, Space checks a device, Q quits (stopping a
 * running sweep at a chunk boundary, resumable with {@code jdm sweep --resume}).
 */
public final class SweepTui {
    /** What the interface works with; {@code context}'s listener is replaced by the interface's own. */
    public record Setup(SweepDevices devices, boolean write, boolean yes, SweepOptions options, Sweeper.Context context) {}

    private final Setup setup;
    private final MultiWindowTextGUI gui;
    private final BasicWindow window;
    private final CheckBoxList<Row> deviceList = new CheckBoxList<>();
    private final RadioBoxList<String> methodList = new RadioBoxList<>();
    private final RadioBoxList<String> verifyList = new RadioBoxList<>();
    private final Label status = new Label("");
    private final Label progress = new Label("");
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger exitCode = new AtomicInteger(0);
    private volatile Thread running;

    private SweepTui(Setup setup, Screen screen) {
        this.setup = setup;
        this.gui = new MultiWindowTextGUI(screen);
        this.window = new BasicWindow(setup.write() ? "jdm sweep" : "jdm sweep (read-only)");
        window.setHints(List.of(Window.Hint.FULL_SCREEN, Window.Hint.NO_DECORATIONS));
    }

    /** Runs the interface on the process's terminal until Q; returns the exit code of the last run. */
    public static int run(Setup setup) throws IOException {
        Screen screen = new TerminalScreen(new DefaultTerminalFactory().createTerminal());
        screen.startScreen();
        try {
            SweepTui tui = new SweepTui(setup, screen);
            tui.build();
            tui.gui.addWindowAndWait(tui.window);
            return tui.exitCode.get();
        } finally {
            screen.stopScreen();
        }
    }

    private void build() {
        Panel root = new Panel(new LinearLayout(Direction.VERTICAL));
        root.addComponent(new Label(setup.write()
                ? "jdm sweep: WRITE MODE. Start overwrites the checked devices ("
                        + (setup.options().includeBootArea() ? "boot area below 0x10000 INCLUDED" : "boot area below 0x10000 kept") + ")."
                : "jdm sweep (read-only): READ-ONLY. Nothing will be written; Start shows the plan. Run with --write to sweep."));
        Panel options = new Panel(new LinearLayout(Direction.HORIZONTAL));
        methodList.addItem("zeros");
        methodList.addItem("random");
        methodList.setCheckedItem(setup.options().method() == SweepOptions.Method.RANDOM ? "random" : "zeros");
        verifyList.addItem("off");
        verifyList.addItem("last");
        verifyList.addItem("all");
        verifyList.setCheckedItem(setup.options().verify().name().toLowerCase());
        options.addComponent(methodList.withBorder(Borders.singleLine("Method")));
        options.addComponent(verifyList.withBorder(Borders.singleLine("Verify")));
        List<DeviceInfo> devices = setup.devices().list();
        for (DeviceInfo d : devices) {
            deviceList.addItem(new Row(d));
        }
        root.addComponent(deviceList.withBorder(Borders.singleLine("Devices (Space checks, Tab moves)")));
        root.addComponent(options);
        Panel buttons = new Panel(new LinearLayout(Direction.HORIZONTAL));
        buttons.addComponent(new Button("Start (S)", this::start));
        buttons.addComponent(new Button("Quit (Q)", this::quit));
        root.addComponent(buttons);
        root.addComponent(new EmptySpace());
        root.addComponent(status);
        root.addComponent(progress);
        window.setComponent(root);
        window.setFocusedInteractable(deviceList);
        window.addWindowListener(new WindowListenerAdapter() {
            @Override
            public void onInput(Window w, KeyStroke key, AtomicBoolean deliver) {
                if (key.getKeyType() == KeyType.Character && (key.getCharacter() == 's' || key.getCharacter() == 'S')) {
                    deliver.set(false);
                    start();
                } else if (key.getKeyType() == KeyType.Character && (key.getCharacter() == 'q' || key.getCharacter() == 'Q')) {
                    deliver.set(false);
                    quit();
                }
            }
        });
        if (devices.isEmpty()) {
            status.setText("no devices to sweep");
        }
    }

    /** A device in the list, shown by {@link #row}. */
    private record Row(DeviceInfo info) {
        @Override
        public String toString() {
            return row(info);
        }
    }

    /** One device row: name, size, type and why it is busy. */
    static String row(DeviceInfo d) {
        return String.format("%-10s %10s  %-4s %s%s%s", d.name(), Sizes.human(d.size()), d.wholeDevice() ? "disk" : "part",
                d.model().map(m -> m + " ").orElse(""), d.inUseReason().map(r -> "[in use: " + r + "]").orElse(""),
                d.readOnly() ? "[read-only]" : "");
    }

    private SweepOptions chosenOptions() {
        SweepOptions o = setup.options();
        return new SweepOptions("random".equals(methodList.getCheckedItem()) ? SweepOptions.Method.RANDOM : SweepOptions.Method.ZEROS,
                SweepOptions.Verify.valueOf(verifyList.getCheckedItem().toUpperCase()), o.passes(), o.includeBootArea(), o.chunkSize());
    }

    private void start() {
        if (running != null) {
            status.setText("a sweep is running; Q stops it");
            return;
        }
        List<DeviceInfo> chosen = deviceList.getCheckedItems().stream().map(Row::info).toList();
        if (chosen.isEmpty()) {
            status.setText("check at least one device first (Space)");
            return;
        }
        List<SweepDevice> open = new ArrayList<>();
        SweepPlan plan;
        try {
            SweepOptions options = chosenOptions();
            for (DeviceInfo d : chosen) {
                SweepDevice dev = setup.devices().open(d.name(), setup.write());
                open.add(dev);
                if (options.includeBootArea()) {
                    setup.devices().includeBootArea(dev);
                }
            }
            plan = SweepPlan.of(open, options, setup.write());
        } catch (SweepException e) {
            open.forEach(SweepDevice::close);
            status.setText("refused: " + e.getMessage() + " [" + e.errno() + "]");
            return;
        }
        StringBuilder text = new StringBuilder();
        for (SweepPlan.Target t : plan.targets()) {
            text.append(String.format("%s: bytes [%s, %s) with %s, verify %s%n", t.device().name(), Sizes.hex(t.start()), Sizes.hex(t.end()),
                    plan.options().method().name().toLowerCase(), plan.options().verify().name().toLowerCase()));
        }
        if (!setup.write()) {
            open.forEach(SweepDevice::close);
            status.setText("read-only: this is what --write would do; nothing was written");
            progress.setText(text.toString());
            return;
        }
        String loss = plan.lossWarning();
        if (loss != null && !setup.yes()) {
            MessageDialogButton b = MessageDialog.showMessageDialog(gui, "Confirm", loss + "\nGo on?",
                    MessageDialogButton.No, MessageDialogButton.Yes);
            if (b != MessageDialogButton.Yes) {
                open.forEach(SweepDevice::close);
                status.setText("not confirmed; nothing was written");
                return;
            }
        }
        status.setText("sweeping...");
        progress.setText(text.toString());
        Sweeper.Context base = setup.context();
        Sweeper.Context ctx = new Sweeper.Context(base.stateDir(), base.host(), base.jdmVersion(), listener(), base.checkpointMillis());
        running = Thread.ofPlatform().name("sweep-tui-run").start(() -> {
            String result;
            try {
                Sweeper.Result r = Sweeper.start(plan, open, ctx, stop);
                if (r.status() == Sweeper.Status.STOPPED) {
                    exitCode.set(4);
                    result = "stopped; continue with jdm sweep " + String.join(" ", chosen.stream().map(DeviceInfo::name).toList()) + " --resume --write";
                } else {
                    exitCode.set(r.report().passed() ? 0 : 1);
                    result = "result: " + r.report().result().toUpperCase() + "; report " + r.reportJson();
                }
            } catch (SweepException e) {
                exitCode.set(1);
                result = "failed: " + e.getMessage() + " [" + e.errno() + "]";
            } finally {
                open.forEach(SweepDevice::close);
            }
            String line = result;
            gui.getGUIThread().invokeLater(() -> {
                status.setText(line);
                running = null;
            });
        });
    }

    private Progress.Listener listener() {
        return new Progress.Listener() {
            @Override
            public void progress(List<Progress> targets) {
                StringBuilder b = new StringBuilder();
                for (Progress p : targets) {
                    int filled = (int) Math.round(p.fraction() * 30);
                    b.append(String.format("%-10s [%s%s] %3d%% %s %s/s%s%n", p.target(), "#".repeat(filled), ".".repeat(30 - filled),
                            (int) Math.floor(p.fraction() * 100), p.phase(), Sizes.human(p.bytesPerSecond()),
                            p.problems() > 0 ? " problems " + p.problems() : ""));
                }
                String text = b.toString();
                gui.getGUIThread().invokeLater(() -> progress.setText(text));
            }
        };
    }

    private void quit() {
        Thread t = running;
        if (t != null) {
            stop.set(true);
            status.setText("stopping at the next chunk boundary...");
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        window.close();
    }
}
