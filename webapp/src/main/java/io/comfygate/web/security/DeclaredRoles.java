package io.comfygate.web.security;

import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;

/**
 * Who may call one resource method, as declared on it or, failing that, on its class:
 * {@code @PermitAll} (anyone, signed in or not), {@code @RolesAllowed} (a signed-in caller with
 * one of the roles), {@code @DenyAll}, or nothing at all, which is refused like {@code @DenyAll}:
 * a method someone forgot to declare is closed, never open. The declaration is read from the
 * method that Jersey matched, so no spelling of the URL can reach a method under another rule.
 *
 * @param kind what was declared
 * @param roles the roles of {@code @RolesAllowed}, else empty
 * @param declaredOn where the rule was found ("JobsResource.get", "class JobsResource"), for messages
 */
public record DeclaredRoles(Kind kind, Set<String> roles, String declaredOn) {
  /** The forms a declaration takes. */
  public enum Kind { PERMIT_ALL, ROLES, DENY_ALL, UNDECLARED }

  public DeclaredRoles {
    roles = Set.copyOf(roles);
  }

  /** The rule of {@code method} of {@code type} (the resource class, which may differ from the declaring one). */
  public static DeclaredRoles of(Class<?> type, Method method) {
    String where = type.getSimpleName() + "." + method.getName();
    DeclaredRoles onMethod = read(method.getAnnotation(PermitAll.class), method.getAnnotation(RolesAllowed.class),
        method.getAnnotation(DenyAll.class), where);
    if (onMethod != null) {
      return onMethod;
    }
    DeclaredRoles onClass = read(type.getAnnotation(PermitAll.class), type.getAnnotation(RolesAllowed.class),
        type.getAnnotation(DenyAll.class), "class " + type.getSimpleName());
    return onClass != null ? onClass : new DeclaredRoles(Kind.UNDECLARED, Set.of(), where);
  }

  private static DeclaredRoles read(PermitAll permit, RolesAllowed roles, DenyAll deny, String where) {
    int count = (permit == null ? 0 : 1) + (roles == null ? 0 : 1) + (deny == null ? 0 : 1);
    if (count > 1) {
      // Two rules on one element: which one wins is a guess, so neither does.
      return new DeclaredRoles(Kind.UNDECLARED, Set.of(), where + " (conflicting declarations)");
    }
    if (permit != null) {
      return new DeclaredRoles(Kind.PERMIT_ALL, Set.of(), where);
    }
    if (deny != null) {
      return new DeclaredRoles(Kind.DENY_ALL, Set.of(), where);
    }
    if (roles != null) {
      return roles.value().length == 0 ? new DeclaredRoles(Kind.DENY_ALL, Set.of(), where)
          : new DeclaredRoles(Kind.ROLES, Set.of(roles.value()), where);
    }
    return null;
  }

  /** The roles, sorted, for documents and messages ("admin", "user"). */
  public List<String> sortedRoles() {
    return roles.stream().sorted().toList();
  }
}
