package dev.jdm.host.calls;

import dev.jdm.abi.hw.HwException;
import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.HwBoardDevice;
import dev.jdm.gate.proto.HwBoardReply;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.host.HostException;
import dev.jdm.host.gate.CallHandler;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.hw.Board;
import dev.jdm.host.hw.EmulatedDevices;
import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.util.Map;

/**
 * The call gate's emulated-board calls (version 4): {@code jdm hw board}, and the privileged
 * {@code hw add}, {@code hw rm} and {@code hw fault}, asked of the security stack as the settings
 * {@code hw.board} and {@code hw.NAME}.
 */
public final class HwCalls implements CallHandler {
    private final Board board;
    private final Privilege privilege;

    public HwCalls(Board board, Privilege privilege) {
        this.board = board;
        this.privilege = privilege;
    }

    @Override
    public Map<Request.CallCase, Integer> calls() {
        return Map.of(Request.CallCase.HW_BOARD, 4, Request.CallCase.HW_ADD, 4, Request.CallCase.HW_RM, 4, Request.CallCase.HW_FAULT, 4);
    }

    @Override
    public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
        String added = "";
        try {
            switch (request.getCallCase()) {
                case HW_ADD -> {
                    var c = request.getHwAdd();
                    privilege.check(task, new SysctlWrite("hw.board", "", "add " + c.getKind()));
                    added = board.plug(EmulatedDevices.make(c.getKind(), c.getParamsMap()));
                }
                case HW_RM -> {
                    privilege.check(task, new SysctlWrite("hw." + request.getHwRm().getName(), "", "remove"));
                    board.unplug(request.getHwRm().getName());
                }
                case HW_FAULT -> {
                    var c = request.getHwFault();
                    privilege.check(task, new SysctlWrite("hw." + c.getName(), "", "fault"));
                    board.fault(c.getName(), c.getFaultsMap());
                }
                default -> { }
            }
        } catch (HwException e) {
            throw new HostException(Errno.ofStatus(e.errno()), e.getMessage());
        }
        HwBoardReply.Builder reply = HwBoardReply.newBuilder().setAdded(added);
        board.list().forEach(d -> reply.addDevices(HwBoardDevice.newBuilder().setName(d.name()).setKind(d.kind()).setVendor(d.vendor())
                .setDevice(d.device()).setClassCode(d.classCode()).setModalias(d.modalias()).setDriver(d.driver())
                .setBacking(d.backing()).setFaults(d.faults())));
        out.send(Response.newBuilder().setHwBoard(reply).build());
    }
}
