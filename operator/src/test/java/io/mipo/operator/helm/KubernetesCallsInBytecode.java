package io.mipo.operator.helm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicInterpreter;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.Interpreter;
import org.objectweb.asm.tree.analysis.Value;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds every Kubernetes API permission the operator's compiled code needs, by data-flow analysis
 * of its bytecode (ASM's {@link Analyzer}), so that the chart's RBAC can be checked against the
 * code rather than against a hand-written list.
 *
 * <p>How a call is understood:
 * <ul>
 * <li><b>Which resource.</b> A fabric8 client method whose generic return type names a model class
 * ({@code secrets()} returns {@code MixedOperation<Secret, …>}, {@code apps().daemonSets()},
 * {@code leases()}, {@code authentication().v1().tokenReviews()} …) starts a DSL chain on that
 * resource. {@code resources(X.class)} takes it from the class constant, {@code resource(x)} from the
 * static type of {@code x} (an erased {@code CustomResource} means any custom resource of the
 * operator). The resource then flows with the value through locals, fields, lambdas' captured
 * arguments, helper methods' parameters and return values (summaries iterated to a fixed point).</li>
 * <li><b>Which verb.</b> The terminal DSL method: {@code get/require} = get, {@code list/resources} =
 * list, {@code watch} = watch, {@code inform*}/informers = list+watch, {@code create}, {@code update}
 * and {@code replace} = update, {@code patch/edit} = patch, {@code serverSideApply} = patch+create,
 * {@code createOr(…)}/{@code createOrReplace} = create+update, {@code delete} = delete on one object
 * and deletecollection on a filtered collection; {@code …Status} variants and
 * {@code subresource("x")} act on the subresource. A chain through {@code inAnyNamespace()} is noted
 * as needing the permission in all namespaces at once, unless the method asks
 * {@code kube/WatchedNamespaces} which namespaces to use (it then calls {@code inAnyNamespace()} only
 * when every namespace is watched, the one case a ClusterRole grants it).</li>
 * <li><b>What the framework does for us.</b> A {@code Reconciler<P>} needs get/list/watch/update/patch
 * on P, update/patch on P/status and update on P/finalizers; a JOSDK informer configured with
 * {@code X.class} needs list/watch on X; code that configures leader election needs get/create/update
 * on leases.</li>
 * </ul>
 * A DSL call whose resource cannot be told (a chain stored somewhere the analysis does not follow,
 * or a fully generic {@code HasMetadata}) is reported as unresolved, so it fails the RBAC test with
 * its location rather than being silently ignored.
 */
public final class KubernetesCallsInBytecode {
    private static final String FABRIC8_CLIENT = "io/fabric8/kubernetes/client/";
    private static final String JOSDK = "io/javaoperatorsdk/";
    private static final Set<String> LEADER_ELECTION = Set.of(
            "io/javaoperatorsdk/operator/api/config/LeaderElectionConfiguration",
            "io/javaoperatorsdk/operator/api/config/LeaderElectionConfigurationBuilder");
    private static final int MAX_ROUNDS = 12;
    /** Where the operator decides between one namespace at a time and all of them (see the class comment). */
    private static final String WATCHED_NAMESPACES = "io/mipo/operator/kube/WatchedNamespaces";

    /** A permission in RBAC terms; {@code resource} may be {@code plural/subresource}. */
    public record Permission(String apiGroup, String resource, String verb, boolean namespaced) implements Comparable<Permission> {
        @Override
        public int compareTo(Permission o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource + " " + verb + (namespaced ? "" : " (cluster-scoped)");
        }
    }

    /** A permission and the places in the code that need it. */
    public record Use(Permission permission, Set<String> where) {
    }

    /**
     * What the analysis found. {@code acrossAllNamespaces}: the namespaced permissions the code uses
     * on all namespaces at once ({@code inAnyNamespace()}), which only a cluster-wide grant allows.
     */
    public record Result(Map<Permission, Set<String>> permissions, Map<Permission, Set<String>> acrossAllNamespaces,
                         Set<String> unresolved) {
        public List<Use> uses() {
            return permissions.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> new Use(e.getKey(), e.getValue())).toList();
        }
    }

    private final ClassLoader loader;
    private final Map<String, ClassNode> classes = new HashMap<>();
    private final Set<Class<?>> customResources = new HashSet<>();

    // summaries, grown to a fixed point: what a method does with its parameters, what it returns, what a field holds
    private final Map<String, Map<Integer, Set<Action>>> paramActions = new HashMap<>();
    private final Map<String, Set<Target>> returns = new HashMap<>();
    private final Map<String, Set<Target>> fields = new HashMap<>();
    private boolean changed;
    private final Set<String> called = new HashSet<>();

    private final Map<Permission, Set<String>> found = new HashMap<>();
    private final Map<Permission, Set<String>> foundAcrossAll = new HashMap<>();
    private final Set<String> unresolved = new TreeSet<>();

    private KubernetesCallsInBytecode(ClassLoader loader) {
        this.loader = loader;
    }

    /** Analyses every class file under {@code classesRoot} (e.g. target/classes). */
    public static Result scan(Path classesRoot) {
        try (Stream<Path> files = Files.walk(classesRoot)) {
            return scan(files.filter(p -> p.toString().endsWith(".class")).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Result scan(Collection<Path> classFiles) {
        KubernetesCallsInBytecode scan = new KubernetesCallsInBytecode(KubernetesCallsInBytecode.class.getClassLoader());
        for (Path file : classFiles) {
            try (InputStream in = Files.newInputStream(file)) {
                ClassNode node = new ClassNode();
                new ClassReader(in).accept(node, ClassReader.SKIP_FRAMES);
                scan.classes.put(node.name, node);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return scan.run();
    }

    private Result run() {
        for (ClassNode c : classes.values()) {
            Class<?> type = load(c.name);
            if (type != null && CustomResource.class.isAssignableFrom(type) && !Modifier.isAbstract(type.getModifiers())) {
                customResources.add(type);
            }
        }
        frameworkPermissions();
        int round = 0;
        do {
            changed = false;
            unresolved.clear();
            for (ClassNode c : classes.values()) {
                for (MethodNode m : c.methods) {
                    analyse(c, m);
                }
            }
        } while (changed && ++round < MAX_ROUNDS);
        paramActions.forEach((method, actions) -> {
            if (!called.contains(method)) {
                unresolved.add(method.replace('/', '.') + " calls the API on its parameter(s) " + actions.keySet()
                        + " (local slots), and no caller in the operator tells which resource");
            }
        });
        return new Result(frozen(found), frozen(foundAcrossAll), Set.copyOf(unresolved));
    }

    // ---- what the frameworks do on the operator's behalf ----

    private void frameworkPermissions() {
        for (ClassNode c : classes.values()) {
            Class<?> type = load(c.name);
            if (type == null) {
                continue;
            }
            String where = c.name.replace('/', '.');
            for (Class<?> primary : typeArguments(type, "io.javaoperatorsdk.operator.api.reconciler.Reconciler")) {
                Target t = new Target(primary, null);
                record(Set.of(t), List.of("get", "list", "watch", "update", "patch"), where + " (reconciler of " + primary.getSimpleName() + ")");
                record(Set.of(new Target(primary, "status")), List.of("update", "patch"), where + " (status of the primary resource)");
                record(Set.of(new Target(primary, "finalizers")), List.of("update"), where + " (finalizer of the primary resource)");
            }
            for (Class<?> dependent : typeArguments(type, "io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource")) {
                record(Set.of(new Target(dependent, null)), List.of("get", "list", "watch", "create", "update", "patch", "delete"),
                        where + " (dependent resource)");
            }
        }
    }

    /** The classes a type binds to the first type parameter of {@code genericName}, walking supertypes. */
    private static List<Class<?>> typeArguments(Class<?> type, String genericName) {
        List<Class<?>> out = new ArrayList<>();
        Set<java.lang.reflect.Type> seen = new HashSet<>();
        List<java.lang.reflect.Type> todo = new ArrayList<>();
        todo.add(type);
        while (!todo.isEmpty()) {
            java.lang.reflect.Type t = todo.remove(0);
            Class<?> raw = t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : t instanceof Class<?> k ? k : null;
            if (raw == null || !seen.add(t)) {
                continue;
            }
            if (raw.getName().equals(genericName) && t instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof Class<?> arg && HasMetadata.class.isAssignableFrom(arg)) {
                out.add(arg);
            }
            if (raw.getGenericSuperclass() != null) {
                todo.add(raw.getGenericSuperclass());
            }
            todo.addAll(Arrays.asList(raw.getGenericInterfaces()));
        }
        return out;
    }

    // ---- the data-flow analysis ----

    /** A resource a value refers to: a model class, an optional subresource, and whether in all namespaces at once. */
    record Target(Class<?> kind, String subresource, boolean anyNamespace) {
        Target(Class<?> kind, String subresource) {
            this(kind, subresource, false);
        }

        Target with(String sub) {
            return sub == null ? this : new Target(kind, sub, anyNamespace);
        }
    }

    /** What a method does to one of its parameters: applies a verb to it. */
    record Action(String verb, String subresource) {
    }

    /** An abstract value: its static type, the resources it refers to, the parameters it came from. */
    static final class Val implements Value {
        final int size;
        final Type type;
        final Set<Target> targets;
        final Set<Integer> params;
        final Object constant;

        Val(int size, Type type, Set<Target> targets, Set<Integer> params, Object constant) {
            this.size = size;
            this.type = type;
            this.targets = targets;
            this.params = params;
            this.constant = constant;
        }

        static Val of(Type type) {
            return new Val(type == null ? 1 : type.getSize(), type, Set.of(), Set.of(), null);
        }

        Val withTargets(Set<Target> t, Set<Integer> p) {
            return new Val(size, type, t, p, constant);
        }

        boolean tracked() {
            return !targets.isEmpty() || !params.isEmpty();
        }

        @Override
        public int getSize() {
            return size;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Val v && size == v.size && Objects.equals(type, v.type) && targets.equals(v.targets)
                    && params.equals(v.params) && Objects.equals(constant, v.constant);
        }

        @Override
        public int hashCode() {
            return Objects.hash(size, type, targets, params, constant);
        }
    }

    private void analyse(ClassNode owner, MethodNode method) {
        if (method.instructions.size() == 0) {
            return;
        }
        Map<AbstractInsnNode, Integer> lines = new HashMap<>();
        int line = -1;
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof LineNumberNode l) {
                line = l.line;
            }
            lines.put(insn, line);
        }
        String key = methodKey(owner.name, method.name, method.desc);
        String file = owner.sourceFile == null ? owner.name : owner.sourceFile;
        String where0 = owner.name.replace('/', '.') + "." + method.name;
        try {
            new Analyzer<>(new Flow(owner, method, key, insn -> where0 + "(" + file + ":" + lines.getOrDefault(insn, -1) + ")"))
                    .analyze(owner.name, method);
        } catch (AnalyzerException e) {
            throw new IllegalStateException("cannot analyse " + where0 + ": " + e.getMessage(), e);
        }
    }

    interface Locator {
        String at(AbstractInsnNode insn);
    }

    private final class Flow extends Interpreter<Val> {
        private final BasicInterpreter basic = new BasicInterpreter();
        private final ClassNode owner;
        private final MethodNode method;
        private final String key;
        private final Locator where;
        private final boolean consultsWatchedNamespaces;

        Flow(ClassNode owner, MethodNode method, String key, Locator where) {
            super(Opcodes.ASM9);
            this.owner = owner;
            this.method = method;
            this.key = key;
            this.where = where;
            boolean consults = false;
            for (AbstractInsnNode insn : method.instructions) {
                consults |= insn instanceof MethodInsnNode m && m.owner.equals(WATCHED_NAMESPACES);
            }
            this.consultsWatchedNamespaces = consults;
        }

        @Override
        public Val newValue(Type type) {
            if (type == Type.VOID_TYPE) {
                return null;
            }
            return Val.of(type);
        }

        @Override
        public Val newParameterValue(boolean isInstanceMethod, int local, Type type) {
            return new Val(type.getSize(), type, Set.of(), Set.of(local), null);
        }

        @Override
        public Val newOperation(AbstractInsnNode insn) throws AnalyzerException {
            switch (insn.getOpcode()) {
                case Opcodes.LDC -> {
                    Object cst = ((LdcInsnNode) insn).cst;
                    if (cst instanceof Type t && t.getSort() == Type.OBJECT) {
                        return new Val(1, Type.getObjectType("java/lang/Class"), Set.of(), Set.of(), t);
                    }
                    if (cst instanceof String s) {
                        return new Val(1, Type.getObjectType("java/lang/String"), Set.of(), Set.of(), s);
                    }
                    return sized(basic.newOperation(insn), null);
                }
                case Opcodes.NEW -> {
                    return Val.of(Type.getObjectType(((TypeInsnNode) insn).desc));
                }
                case Opcodes.GETSTATIC -> {
                    FieldInsnNode f = (FieldInsnNode) insn;
                    return Val.of(Type.getType(f.desc)).withTargets(fields.getOrDefault(fieldKey(f), Set.of()), Set.of());
                }
                case Opcodes.ACONST_NULL -> {
                    return Val.of(Type.getObjectType("java/lang/Object"));
                }
                default -> {
                    return sized(basic.newOperation(insn), null);
                }
            }
        }

        @Override
        public Val copyOperation(AbstractInsnNode insn, Val value) {
            return value;
        }

        @Override
        public Val unaryOperation(AbstractInsnNode insn, Val value) throws AnalyzerException {
            switch (insn.getOpcode()) {
                case Opcodes.CHECKCAST -> {
                    Type cast = Type.getObjectType(((TypeInsnNode) insn).desc);
                    return new Val(1, cast, value.targets, value.params, value.constant);
                }
                case Opcodes.GETFIELD -> {
                    FieldInsnNode f = (FieldInsnNode) insn;
                    return Val.of(Type.getType(f.desc)).withTargets(fields.getOrDefault(fieldKey(f), Set.of()), Set.of());
                }
                case Opcodes.PUTSTATIC -> {
                    remember(fields, fieldKey((FieldInsnNode) insn), value.targets);
                    return null;
                }
                case Opcodes.ANEWARRAY -> {
                    return Val.of(Type.getType("[" + Type.getObjectType(((TypeInsnNode) insn).desc).getDescriptor()));
                }
                default -> {
                    return sized(basic.unaryOperation(insn, basicOf(value)), null);
                }
            }
        }

        @Override
        public Val binaryOperation(AbstractInsnNode insn, Val value1, Val value2) throws AnalyzerException {
            if (insn.getOpcode() == Opcodes.PUTFIELD) {
                remember(fields, fieldKey((FieldInsnNode) insn), value2.targets);
                return null;
            }
            if (insn.getOpcode() == Opcodes.AALOAD) {
                Type element = value1.type != null && value1.type.getSort() == Type.ARRAY
                        ? Type.getType(value1.type.getDescriptor().substring(1)) : Type.getObjectType("java/lang/Object");
                return Val.of(element);
            }
            return sized(basic.binaryOperation(insn, basicOf(value1), basicOf(value2)), null);
        }

        @Override
        public Val ternaryOperation(AbstractInsnNode insn, Val value1, Val value2, Val value3) {
            return null;
        }

        @Override
        public Val naryOperation(AbstractInsnNode insn, List<? extends Val> values) throws AnalyzerException {
            if (insn instanceof MethodInsnNode m) {
                return invoke(insn, m.owner, m.name, m.desc, insn.getOpcode() == Opcodes.INVOKESTATIC, values);
            }
            if (insn instanceof InvokeDynamicInsnNode indy) {
                Type result = Type.getReturnType(indy.desc);
                if (indy.bsmArgs.length >= 2 && indy.bsmArgs[1] instanceof Handle impl) {
                    // a lambda or method reference: its captured values are the implementation's first arguments
                    boolean isStatic = impl.getTag() == Opcodes.H_INVOKESTATIC;
                    int captured = applyCallee(insn, impl.getOwner(), impl.getName(), impl.getDesc(), isStatic, values);
                    // the lambda's own parameters come from whoever calls the functional interface (a stream, a
                    // callback): an API call on one of them is followable only through its static type
                    Map<Integer, Set<Action>> actions = paramActions.getOrDefault(
                            methodKey(impl.getOwner(), impl.getName(), impl.getDesc()), Map.of());
                    actions.keySet().stream().filter(slot -> slot >= captured).forEach(slot -> unresolved.add(where.at(insn)
                            + ": a lambda calls the API on its parameter (slot " + slot + ") whose resource cannot be told"));
                }
                return Val.of(result);
            }
            return sized(basic.naryOperation(insn, values.stream().map(this::basicOf).toList()), null);
        }

        @Override
        public void returnOperation(AbstractInsnNode insn, Val value, Val expected) {
            if (value != null && !value.targets.isEmpty()) {
                remember(returns, key, value.targets);
            }
        }

        @Override
        public Val merge(Val a, Val b) {
            if (a.equals(b)) {
                return a;
            }
            if (a.size != b.size) {
                return Val.of(null);
            }
            Type type = Objects.equals(a.type, b.type) ? a.type : a.type == null ? b.type
                    : (a.type.getSort() >= Type.ARRAY && b.type != null && b.type.getSort() >= Type.ARRAY)
                    ? Type.getObjectType("java/lang/Object") : a.type;
            Set<Target> targets = union(a.targets, b.targets);
            Set<Integer> params = union(a.params, b.params);
            Object constant = Objects.equals(a.constant, b.constant) ? a.constant : null;
            return new Val(Math.max(a.size, b.size), type, targets, params, constant);
        }

        private Val sized(BasicValue b, Type type) {
            if (b == null) {
                return null;
            }
            return new Val(b.getSize(), type != null ? type : b.getType(), Set.of(), Set.of(), null);
        }

        private BasicValue basicOf(Val v) {
            if (v == null) {
                return null;
            }
            if (v.type == null) {
                return BasicValue.UNINITIALIZED_VALUE;
            }
            return switch (v.type.getSort()) {
                case Type.BOOLEAN, Type.CHAR, Type.BYTE, Type.SHORT, Type.INT -> BasicValue.INT_VALUE;
                case Type.FLOAT -> BasicValue.FLOAT_VALUE;
                case Type.LONG -> BasicValue.LONG_VALUE;
                case Type.DOUBLE -> BasicValue.DOUBLE_VALUE;
                default -> BasicValue.REFERENCE_VALUE;
            };
        }

        // ---- method calls ----

        private Val invoke(AbstractInsnNode insn, String calleeOwner, String name, String desc, boolean isStatic, List<? extends Val> args) {
            Type returnType = Type.getReturnType(desc);
            Val result = returnType == Type.VOID_TYPE ? null : Val.of(returnType);
            Val receiver = isStatic || args.isEmpty() ? null : args.get(0);

            if (LEADER_ELECTION.contains(calleeOwner)) {
                leaderElection(where.at(insn));
            }
            if (calleeOwner.startsWith(FABRIC8_CLIENT)) {
                return fabric8(insn, calleeOwner, name, desc, isStatic, receiver, args, result);
            }
            if (calleeOwner.startsWith(JOSDK)) {
                // informers configured with a resource class (InformerEventSourceConfiguration.from(X.class, P.class), ...)
                for (Val arg : args) {
                    Class<?> kind = classConstant(arg);
                    if (kind != null) {
                        record(Set.of(new Target(kind, null)), List.of("get", "list", "watch"), where.at(insn));
                    }
                }
                return result;
            }
            if (classes.containsKey(calleeOwner)) {
                applyCallee(insn, calleeOwner, name, desc, isStatic, args);
                Set<Target> ret = returns.get(methodKey(calleeOwner, name, desc));
                if (result != null && ret != null) {
                    return result.withTargets(ret, Set.of());
                }
            }
            return result;
        }

        /** Applies what a method of the operator does with its parameters to the arguments of this call. */
        private int applyCallee(AbstractInsnNode insn, String calleeOwner, String name, String desc, boolean isStatic, List<? extends Val> args) {
            String callee = methodKey(calleeOwner, name, desc);
            called.add(callee);
            Map<Integer, Set<Action>> actions = paramActions.getOrDefault(callee, Map.of());
            int slot = 0;
            for (Val arg : args) {
                Set<Action> done = actions.get(slot);
                if (done != null) {
                    Set<Target> resolved = resolveObject(arg);
                    if (resolved.isEmpty() && arg.params.isEmpty()) {
                        unresolved.add(where.at(insn) + ": passes a " + (arg.type == null ? "value" : arg.type.getClassName())
                                + " to " + name + "(), which calls the API with it, and its resource could not be followed");
                    }
                    for (Action a : done) {
                        // a value whose resource is known here does not make this method's parameter a question for its callers
                        act(insn, resolved, resolved.isEmpty() ? arg.params : Set.of(), a.verb(), a.subresource());
                    }
                }
                slot += arg.getSize();
            }
            return slot;
        }

        private Val fabric8(AbstractInsnNode insn, String calleeOwner, String name, String desc, boolean isStatic,
                            Val receiver, List<? extends Val> args, Val result) {
            if (!isClientApi(calleeOwner)) {
                return result; // utils, http, config: no API calls
            }
            // a client object (KubernetesClient, a group DSL) carries no resource, even when it came from a parameter
            Val recv = receiver == null || isClientEntry(calleeOwner) ? null : receiver;
            boolean receiverTracked = recv != null && recv.tracked();
            Set<Target> targets = new LinkedHashSet<>();
            Set<Integer> params = new LinkedHashSet<>();
            Method reflected = reflect(calleeOwner, name, desc);
            List<String> verbs = verbsOf(name, desc, isSingleObject(calleeOwner) ? "delete" : "deletecollection");

            // 1. a new chain: the generic return type names the resource, or a type variable bound by an argument
            if (reflected != null) {
                Class<?> named = modelClassIn(reflected.getGenericReturnType());
                if (named != null) {
                    targets.add(new Target(named, null));
                } else if (mentionsTypeVariable(reflected.getGenericReturnType())) {
                    for (Val arg : isStatic ? args : args.subList(1, args.size())) {
                        Class<?> kind = classConstant(arg);
                        if (kind != null) {
                            targets.add(new Target(kind, null));
                        } else if (arg.type != null && arg.type.getSort() == Type.OBJECT && isModelType(arg.type)) {
                            Set<Target> fromType = resolveObject(arg);
                            targets.addAll(fromType);
                            if (fromType.isEmpty()) {
                                params.addAll(arg.params);
                                if (arg.params.isEmpty() && !receiverTracked) {
                                    unresolved.add(where.at(insn) + ": " + name + "(" + arg.type.getClassName()
                                            + ") - the resource cannot be told from the static type");
                                }
                            }
                        }
                    }
                }
            }
            // 2. a chain goes on: the receiver's resource flows into the DSL object returned (not into the data a verb returns)
            if (targets.isEmpty() && params.isEmpty() && receiverTracked && verbs.isEmpty()) {
                String sub = "subresource".equals(name) && args.size() > 1 && args.get(1).constant instanceof String s ? s : null;
                for (Target t : recv.targets) {
                    Target next = t.with(sub);
                    if ("inAnyNamespace".equals(name) || "inNamespace".equals(name)) {
                        next = new Target(next.kind(), next.subresource(), "inAnyNamespace".equals(name) && !consultsWatchedNamespaces);
                    }
                    targets.add(next);
                }
                params.addAll(recv.params);
            }
            // 3. a verb: on the receiver's resource, or on the resource this call names (informers)
            if (!verbs.isEmpty()) {
                Set<Target> on = receiverTracked ? recv.targets : targets;
                Set<Integer> onParams = receiverTracked ? recv.params : params;
                if (on.isEmpty() && onParams.isEmpty()) {
                    unresolved.add(where.at(insn) + ": " + name + "() on a "
                            + (recv == null || recv.type == null ? calleeOwner.replace('/', '.') : recv.type.getClassName())
                            + " whose resource the analysis could not follow");
                }
                for (String verb : verbs) {
                    act(insn, on, onParams, verb, subresourceOf(name));
                }
            }
            if (result == null) {
                return null;
            }
            return result.withTargets(Set.copyOf(targets), Set.copyOf(params));
        }

        private void act(AbstractInsnNode insn, Set<Target> on, Set<Integer> fromParams, String verb, String subresource) {
            Set<Target> resolved = new LinkedHashSet<>();
            for (Target t : on) {
                resolved.add(t.with(subresource));
            }
            record(resolved, List.of(verb), where.at(insn));
            for (Integer slot : fromParams) {
                Map<Integer, Set<Action>> mine = paramActions.computeIfAbsent(key, k -> new HashMap<>());
                if (mine.computeIfAbsent(slot, k -> new HashSet<>()).add(new Action(verb, subresource))) {
                    changed = true;
                }
            }
        }

        /** The resources an object value stands for: its tracked targets, or its static type. */
        private Set<Target> resolveObject(Val v) {
            if (!v.targets.isEmpty()) {
                return v.targets;
            }
            if (v.type == null || v.type.getSort() != Type.OBJECT) {
                return Set.of();
            }
            Class<?> type = load(v.type.getInternalName());
            if (type == null || !HasMetadata.class.isAssignableFrom(type)) {
                return Set.of();
            }
            if (type == CustomResource.class) {
                return customResources.stream().map(c -> new Target(c, null)).collect(Collectors.toSet());
            }
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
                return Set.of();
            }
            return Set.of(new Target(type, null));
        }
    }

    // ---- helpers ----

    private static final Map<String, List<String>> VERBS = Map.ofEntries(
            Map.entry("get", List.of("get")), Map.entry("require", List.of("get")), Map.entry("fromServer", List.of("get")),
            Map.entry("list", List.of("list")), Map.entry("resources", List.of("list")),
            Map.entry("watch", List.of("watch")),
            Map.entry("inform", List.of("list", "watch")), Map.entry("informOnCondition", List.of("list", "watch")),
            Map.entry("runnableInformer", List.of("list", "watch")), Map.entry("waitUntilReady", List.of("get", "list", "watch")),
            Map.entry("waitUntilCondition", List.of("get", "list", "watch")),
            Map.entry("sharedIndexInformerFor", List.of("list", "watch")), Map.entry("sharedIndexInformerForCustomResource", List.of("list", "watch")),
            Map.entry("create", List.of("create")), Map.entry("createOr", List.of("create", "update")),
            Map.entry("createOrReplace", List.of("create", "update")), Map.entry("serverSideApply", List.of("patch", "create")),
            Map.entry("update", List.of("update")), Map.entry("replace", List.of("update")),
            Map.entry("updateStatus", List.of("update")), Map.entry("replaceStatus", List.of("update")),
            Map.entry("patch", List.of("patch")), Map.entry("edit", List.of("patch")), Map.entry("accept", List.of("patch")),
            Map.entry("patchStatus", List.of("patch")), Map.entry("editStatus", List.of("patch")),
            Map.entry("scale", List.of("get", "patch")), Map.entry("evict", List.of("create")),
            Map.entry("getLog", List.of("get")), Map.entry("watchLog", List.of("get")));

    private static List<String> verbsOf(String method, String desc, String deleteVerb) {
        if ("delete".equals(method)) {
            return List.of(deleteVerb);
        }
        if ("resources".equals(method) && Type.getArgumentTypes(desc).length > 0) {
            return List.of(); // client.resources(X.class) starts a chain; op.resources() lists
        }
        return VERBS.getOrDefault(method, List.of());
    }

    private static String subresourceOf(String method) {
        return switch (method) {
            case "updateStatus", "replaceStatus", "patchStatus", "editStatus" -> "status";
            case "scale" -> "scale";
            case "evict" -> "eviction";
            case "getLog", "watchLog" -> "log";
            default -> null;
        };
    }

    /** Calls on a Resource act on one named object; on other DSL types on a (filtered) collection. */
    private boolean isSingleObject(String owner) {
        Class<?> type = load(owner);
        return type != null && io.fabric8.kubernetes.client.dsl.Resource.class.isAssignableFrom(type);
    }

    /**
     * The client's API surface: the client itself, the DSL and the informer factory (not utils, http,
     * config, nor an informer's cache, whose list() and get() read memory, not the API server).
     */
    private static boolean isClientApi(String owner) {
        String pkg = owner.substring(0, owner.lastIndexOf('/') + 1);
        return pkg.equals(FABRIC8_CLIENT) && !owner.endsWith("Config") && !owner.contains("Builder")
                || pkg.startsWith(FABRIC8_CLIENT + "dsl/")
                || pkg.equals(FABRIC8_CLIENT + "informers/");
    }

    /** A client or API-group object: its methods start chains, it is not itself a resource. */
    private boolean isClientEntry(String owner) {
        Class<?> type = load(owner);
        return type != null && (io.fabric8.kubernetes.client.Client.class.isAssignableFrom(type)
                || type.getSimpleName().endsWith("APIGroupDSL")
                || type.getName().startsWith("io.fabric8.kubernetes.client.informers."));
    }

    private boolean isModelType(Type type) {
        Class<?> c = load(type.getInternalName());
        return c != null && HasMetadata.class.isAssignableFrom(c);
    }

    private Class<?> classConstant(Val v) {
        if (v != null && v.constant instanceof Type t) {
            Class<?> c = load(t.getInternalName());
            if (c != null && HasMetadata.class.isAssignableFrom(c)) {
                return c;
            }
        }
        return null;
    }

    /** The first concrete model class among a generic type's arguments (MixedOperation&lt;Secret, …&gt; → Secret). */
    private static Class<?> modelClassIn(java.lang.reflect.Type type) {
        if (type instanceof ParameterizedType p) {
            for (java.lang.reflect.Type arg : p.getActualTypeArguments()) {
                if (arg instanceof Class<?> c && HasMetadata.class.isAssignableFrom(c) && !c.isInterface()
                        && !Modifier.isAbstract(c.getModifiers())) {
                    return c;
                }
                Class<?> nested = modelClassIn(arg);
                if (nested != null) {
                    return nested;
                }
            }
        }
        return null;
    }

    private static boolean mentionsTypeVariable(java.lang.reflect.Type type) {
        if (type instanceof TypeVariable<?>) {
            return true;
        }
        if (type instanceof WildcardType w) {
            return Arrays.stream(w.getUpperBounds()).anyMatch(KubernetesCallsInBytecode::mentionsTypeVariable);
        }
        return type instanceof ParameterizedType p
                && Arrays.stream(p.getActualTypeArguments()).anyMatch(KubernetesCallsInBytecode::mentionsTypeVariable);
    }

    private Method reflect(String owner, String name, String desc) {
        Class<?> type = load(owner);
        if (type == null) {
            return null;
        }
        Type[] params = Type.getArgumentTypes(desc);
        List<Method> candidates = new ArrayList<>(Arrays.asList(type.getMethods()));
        if (type.isInterface()) {
            candidates.addAll(Arrays.asList(Object.class.getMethods()));
        }
        for (Method m : candidates) {
            if (m.getName().equals(name) && m.getParameterCount() == params.length
                    && Type.getMethodDescriptor(m).equals(desc)) {
                return m;
            }
        }
        return null;
    }

    private Class<?> load(String internalName) {
        try {
            return Class.forName(internalName.replace('/', '.'), false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private void leaderElection(String where) {
        Class<?> lease = load("io/fabric8/kubernetes/api/model/coordination/v1/Lease");
        record(Set.of(new Target(lease, null)), List.of("get", "create", "update"), where + " (leader election)");
    }

    private void record(Set<Target> targets, List<String> verbs, String where) {
        for (Target t : targets) {
            @SuppressWarnings("unchecked")
            Class<? extends HasMetadata> kind = (Class<? extends HasMetadata>) t.kind();
            String resource = HasMetadata.getPlural(kind) + (t.subresource() == null ? "" : "/" + t.subresource());
            boolean namespaced = Namespaced.class.isAssignableFrom(kind);
            for (String verb : verbs) {
                Permission p = new Permission(HasMetadata.getGroup(kind), resource, verb, namespaced);
                found.computeIfAbsent(p, k -> new TreeSet<>()).add(where);
                if (namespaced && t.anyNamespace()) {
                    foundAcrossAll.computeIfAbsent(p, k -> new TreeSet<>()).add(where);
                }
            }
        }
    }

    private <K, T> void remember(Map<K, Set<T>> summary, K key, Set<T> values) {
        if (values.isEmpty()) {
            return;
        }
        Set<T> known = summary.computeIfAbsent(key, k -> new HashSet<>());
        if (known.addAll(values)) {
            changed = true;
        }
    }

    private static Map<Permission, Set<String>> frozen(Map<Permission, Set<String>> map) {
        Map<Permission, Set<String>> copy = new HashMap<>();
        map.forEach((k, v) -> copy.put(k, Set.copyOf(new TreeSet<>(v))));
        return Map.copyOf(copy);
    }

    private static <T> Set<T> union(Set<T> a, Set<T> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty() || a.equals(b)) {
            return a;
        }
        Set<T> u = new HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }

    private static String methodKey(String owner, String name, String desc) {
        return owner + "." + name + desc;
    }

    private static String fieldKey(FieldInsnNode f) {
        return f.owner + "#" + f.name;
    }

    /** For failure messages. */
    public static String describe(Result result) {
        StringBuilder sb = new StringBuilder();
        for (Use u : result.uses()) {
            sb.append("  ").append(u.permission()).append("  <- ").append(String.join(", ", u.where())).append('\n');
        }
        if (!result.acrossAllNamespaces().isEmpty()) {
            sb.append("  in all namespaces at once (inAnyNamespace):\n");
            result.acrossAllNamespaces().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                    sb.append("    ").append(e.getKey()).append("  <- ").append(String.join(", ", e.getValue())).append('\n'));
        }
        if (!result.unresolved().isEmpty()) {
            sb.append("  unresolved:\n");
            result.unresolved().forEach(u -> sb.append("    ").append(u).append('\n'));
        }
        return sb.toString();
    }
}
