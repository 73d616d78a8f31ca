package io.github.netatmotoken.core;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public API of one package as text: every public type (and its public and protected nested types), with the
 * signatures of its public and protected constructors, methods and fields, and the values of its constants, sorted,
 * one per line. Each library module's {@code PublicApiTest} compares it with the file committed in the module's
 * {@code api/} folder, so that every change of the API is a visible diff in review. Until a first release lets
 * japicmp compare with it, this is the check.
 */
public final class PublicApi {
    /** Set to {@code true} to write the listing instead of comparing with it. */
    public static final String UPDATE_PROPERTY = "api.update";

    private PublicApi() {
    }

    /**
     * Compares the API of {@code packageName}, read from the compiled classes in {@code target/classes} of the module
     * under test, with {@code committed}; fails with the lines that differ.
     */
    public static void assertUnchanged(String packageName, Path committed) throws IOException {
        String actual = describe(packageName, Path.of("target", "classes"));
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.createDirectories(committed.toAbsolutePath().getParent());
            Files.writeString(committed, actual, StandardCharsets.UTF_8);
            return;
        }
        String expected = Files.exists(committed) ? Files.readString(committed, StandardCharsets.UTF_8) : "";
        if (!expected.equals(actual)) {
            fail("The public API of " + packageName + " differs from " + committed + ". If the change is meant,"
                    + " run the module's PublicApiTest with -D" + UPDATE_PROPERTY + "=true and commit the file,"
                    + " so that the change shows in review:\n" + diff(expected, actual));
        }
    }

    /** The listing of the public types of {@code packageName} among the classes under {@code classes}. */
    public static String describe(String packageName, Path classes) throws IOException {
        Path dir = classes.resolve(packageName.replace('.', '/'));
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$") || name.equals("package-info.class")
                        || name.equals("module-info.class")) {
                    continue;
                }
                Class<?> type = load(packageName + "." + name.substring(0, name.length() - 6));
                if (Modifier.isPublic(type.getModifiers())) {
                    collect(type, types);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        types.sort((a, b) -> a.getName().compareTo(b.getName()));
        for (Class<?> type : types) {
            out.append(header(type)).append('\n');
            for (String member : members(type)) {
                out.append("  ").append(member).append('\n');
            }
        }
        return out.toString();
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, PublicApi.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(name + " is in target/classes but not on the test class path", e);
        }
    }

    private static void collect(Class<?> type, List<Class<?>> into) {
        into.add(type);
        for (Class<?> nested : type.getDeclaredClasses()) {
            if (visible(nested.getModifiers(), type)) {
                collect(nested, into);
            }
        }
    }

    /** Public, or protected in a class that can be extended from outside. */
    private static boolean visible(int modifiers, Class<?> owner) {
        return Modifier.isPublic(modifiers) || (Modifier.isProtected(modifiers) && !Modifier.isFinal(owner.getModifiers()));
    }

    private static String header(Class<?> type) {
        String kind = type.isAnnotation() ? "@interface" : type.isInterface() ? "interface" : type.isEnum() ? "enum"
                : type.isRecord() ? "record" : "class";
        int modifiers = type.getModifiers() & (Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC
                | Modifier.FINAL | Modifier.ABSTRACT);
        if (type.isInterface()) {
            modifiers &= ~(Modifier.ABSTRACT | Modifier.STATIC);
        }
        if (type.isEnum() || type.isRecord()) {
            modifiers &= ~(Modifier.FINAL | Modifier.STATIC);
        }
        StringBuilder s = new StringBuilder(Modifier.toString(modifiers)).append(' ').append(kind).append(' ')
                .append(type.getName().replace('$', '.')).append(typeParameters(type.getTypeParameters()));
        Type superclass = type.getGenericSuperclass();
        if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
            s.append(" extends ").append(name(superclass));
        }
        Type[] interfaces = type.getGenericInterfaces();
        if (interfaces.length > 0) {
            s.append(type.isInterface() ? " extends " : " implements ")
                    .append(Arrays.stream(interfaces).map(PublicApi::name).collect(Collectors.joining(", ")));
        }
        return s.toString();
    }

    private static List<String> members(Class<?> type) {
        Set<String> members = new HashSet<>();
        for (Field field : type.getDeclaredFields()) {
            if (!field.isSynthetic() && visible(field.getModifiers(), type)) {
                members.add(field(field));
            }
        }
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            if (!constructor.isSynthetic() && visible(constructor.getModifiers(), type)) {
                members.add(executable(constructor, type.getSimpleName(), null));
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            if (!method.isSynthetic() && !method.isBridge() && visible(method.getModifiers(), type)) {
                members.add(executable(method, method.getName(), method));
            }
        }
        return members.stream().sorted().toList();
    }

    private static String field(Field field) {
        String s = modifiers(field.getModifiers()) + name(field.getGenericType()) + " " + field.getName();
        int m = field.getModifiers();
        if (Modifier.isStatic(m) && Modifier.isFinal(m)
                && (field.getType().isPrimitive() || field.getType() == String.class)) {
            try {
                s += " = " + field.get(null);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return s;
    }

    private static String executable(Executable e, String name, Method method) {
        StringBuilder s = new StringBuilder(modifiers(e.getModifiers()));
        if (method != null && method.isDefault()) {
            s.append("default ");
        }
        String typeParameters = typeParameters(e.getTypeParameters());
        if (!typeParameters.isEmpty()) {
            s.append(typeParameters).append(' ');
        }
        if (method != null) {
            s.append(name(method.getGenericReturnType())).append(' ');
        }
        s.append(name).append('(').append(Arrays.stream(e.getGenericParameterTypes()).map(PublicApi::name)
                .collect(Collectors.joining(", "))).append(')');
        Type[] exceptions = e.getGenericExceptionTypes();
        if (exceptions.length > 0) {
            s.append(" throws ").append(Arrays.stream(exceptions).map(PublicApi::name)
                    .collect(Collectors.joining(", ")));
        }
        return s.toString();
    }

    private static String modifiers(int modifiers) {
        int kept = modifiers & (Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC | Modifier.FINAL
                | Modifier.ABSTRACT);
        return kept == 0 ? "" : Modifier.toString(kept) + " ";
    }

    private static String typeParameters(TypeVariable<?>[] variables) {
        if (variables.length == 0) {
            return "";
        }
        return Arrays.stream(variables).map(v -> {
            Type[] bounds = v.getBounds();
            boolean onlyObject = bounds.length == 1 && bounds[0] == Object.class;
            return onlyObject ? v.getName() : v.getName() + " extends " + Arrays.stream(bounds).map(PublicApi::name)
                    .collect(Collectors.joining(" & "));
        }).collect(Collectors.joining(", ", "<", ">"));
    }

    private static String name(Type type) {
        return type.getTypeName().replace('$', '.');
    }

    /** The lines only in {@code expected} (-) and only in {@code actual} (+). */
    private static String diff(String expected, String actual) {
        List<String> before = expected.lines().toList();
        List<String> after = actual.lines().toList();
        StringBuilder out = new StringBuilder();
        before.stream().filter(line -> !after.contains(line)).forEach(line -> out.append("- ").append(line)
                .append('\n'));
        after.stream().filter(line -> !before.contains(line)).forEach(line -> out.append("+ ").append(line)
                .append('\n'));
        return out.length() == 0 ? "(the same lines in another order)" : out.toString();
    }
}
