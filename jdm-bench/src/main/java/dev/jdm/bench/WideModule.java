package dev.jdm.bench;

import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.Modpost;
import dev.jdm.symvers.TypeInfo;
import dev.jdm.symvers.TypeKind;
import java.lang.classfile.Annotation;
import java.lang.classfile.AnnotationElement;
import java.lang.classfile.ClassFile;
import java.lang.classfile.attribute.RuntimeVisibleAnnotationsAttribute;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DirectMethodHandleDesc;
import java.lang.constant.MethodHandleDesc;
import java.lang.constant.MethodTypeDesc;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A module that imports many ABI symbols: its entry class holds a never-called method that loads a
 * method handle (or class) constant for each. Built with {@code java.lang.classfile} so the count
 * is exact, then post-processed by {@link Modpost} as the Maven plugin would.
 */
final class WideModule {
    private static final ClassDesc CONTEXT = ClassDesc.of("dev.jdm.abi.ModuleContext");

    private WideModule() {}

    /** The module's classes and {@code META-INF/jdm} files, importing up to {@code wanted} symbols. */
    static JarContents build(String name, int wanted, AbiModel abi) {
        List<Object> constants = new ArrayList<>();
        for (TypeInfo t : abi.world().types()) {
            ClassDesc owner = ClassDesc.of(t.name());
            boolean itf = t.kind() == TypeKind.INTERFACE || t.kind() == TypeKind.ANNOTATION;
            constants.add(owner);
            for (TypeInfo.MethodInfo m : t.methods()) {
                if (!m.visible() || m.isSynthetic() || m.name().equals("<clinit>")) {
                    continue;
                }
                MethodTypeDesc type = MethodTypeDesc.ofDescriptor(m.descriptor());
                DirectMethodHandleDesc.Kind kind = m.name().equals("<init>") ? DirectMethodHandleDesc.Kind.CONSTRUCTOR
                        : m.isStatic() ? (itf ? DirectMethodHandleDesc.Kind.INTERFACE_STATIC : DirectMethodHandleDesc.Kind.STATIC)
                        : (itf ? DirectMethodHandleDesc.Kind.INTERFACE_VIRTUAL : DirectMethodHandleDesc.Kind.VIRTUAL);
                String member = kind == DirectMethodHandleDesc.Kind.CONSTRUCTOR ? ConstantDescs.INIT_NAME : m.name();
                if (kind == DirectMethodHandleDesc.Kind.CONSTRUCTOR) {
                    type = type.changeReturnType(ConstantDescs.CD_void);
                }
                constants.add(MethodHandleDesc.ofMethod(kind, owner, member, type));
            }
            if (constants.size() >= wanted) {
                break;
            }
        }
        List<Object> used = constants.subList(0, Math.min(wanted, constants.size()));
        ClassDesc self = ClassDesc.of("bench." + name + ".Entry");
        byte[] entry = ClassFile.of().build(self, cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            cb.withInterfaceSymbols(ClassDesc.of("dev.jdm.abi.LoadableModule"));
            cb.with(RuntimeVisibleAnnotationsAttribute.of(Annotation.of(ClassDesc.of("dev.jdm.abi.DriverModule"),
                    AnnotationElement.ofString("name", name), AnnotationElement.ofString("version", "1"),
                    AnnotationElement.ofString("license", "GPL"), AnnotationElement.ofString("author", "jdm developers"),
                    AnnotationElement.ofString("description", "imports many ABI symbols"))));
            cb.withMethodBody(ConstantDescs.INIT_NAME, MethodTypeDesc.of(ConstantDescs.CD_void, CONTEXT), ClassFile.ACC_PUBLIC,
                    code -> code.aload(0).invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void).return_());
            cb.withMethodBody("close", ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC, code -> code.return_());
            cb.withMethodBody("references", ConstantDescs.MTD_void, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC, code -> {
                for (Object c : used) {
                    code.loadConstant((java.lang.constant.ConstantDesc) c).pop();
                }
                code.return_();
            });
        });
        Map<String, byte[]> classes = Map.of(self.descriptorString().substring(1, self.descriptorString().length() - 1), entry);
        Modpost.Output out = Modpost.run(new JarContents(name + ".jar", classes, Map.of()), abi, List.of());
        Map<String, byte[]> meta = new HashMap<>();
        meta.put("modinfo", out.modinfo().format().getBytes(StandardCharsets.UTF_8));
        meta.put("versions", out.versions().format().getBytes(StandardCharsets.UTF_8));
        meta.put("exports", out.exports().format().getBytes(StandardCharsets.UTF_8));
        return new JarContents(name + ".jar", classes, meta);
    }

    /** How many symbols a built module imports. */
    static int imports(JarContents module) {
        return (int) new String(module.metadata().get("versions"), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count();
    }

}
