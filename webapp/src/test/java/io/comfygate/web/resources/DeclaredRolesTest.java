package io.comfygate.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import io.comfygate.config.Settings;
import io.comfygate.web.AppServices;
import io.comfygate.web.ComfyApplication;
import io.comfygate.web.docs.ApiDocument;
import io.comfygate.web.security.DeclaredRoles;
import io.comfygate.web.security.Identity;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Application;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Authorization is declared on every resource method and closed where it is not: each resource
 * method of every registered class (found by reflection, so a resource added later is covered
 * without editing this test) has a {@code @RolesAllowed} or {@code @PermitAll}, and only sign-in is
 * open. An undeclared method, and one that declares two rules at once, is refused to every caller,
 * even an admin, when the application runs.
 */
class DeclaredRolesTest extends ResourceTestBase {

  /** Two methods nobody declared, and one that declares two rules, registered beside the real ones. */
  @Path("/v1/undeclared")
  public static final class Undeclared {
    @GET
    public String open() {
      return "reached";
    }

    @GET
    @Path("conflict")
    @PermitAll
    @RolesAllowed(Identity.USER)
    public String conflict() {
      return "reached";
    }
  }

  @Path("/v1/denied")
  @DenyAll
  public static final class Denied {
    @GET
    public String closed() {
      return "reached";
    }

    @GET
    @Path("open")
    @PermitAll
    public String open() {
      return "reached";
    }
  }

  @Override
  protected ComfyApplication application(AppServices services) {
    ComfyApplication app = super.application(services);
    app.register(Undeclared.class);
    app.register(Denied.class);
    return app;
  }

  @Test
  void everyRegisteredResourceMethodDeclaresWhoMayCallIt() {
    ComfyApplication app = new ComfyApplication(new AppServices(Settings.defaults(), engine, apiKeys));
    List<String> undeclared = new ArrayList<>();
    List<String> open = new ArrayList<>();
    int methods = 0;
    for (Class<?> type : ApiDocument.resourceClasses(app)) {
      for (Method method : resourceMethods(type)) {
        methods++;
        DeclaredRoles declared = DeclaredRoles.of(type, method);
        if (declared.kind() == DeclaredRoles.Kind.UNDECLARED) {
          undeclared.add(declared.declaredOn());
        }
        if (declared.kind() == DeclaredRoles.Kind.PERMIT_ALL) {
          open.add(type.getSimpleName() + "." + method.getName());
        }
        if (declared.kind() == DeclaredRoles.Kind.ROLES) {
          assertThat(Set.of(Identity.USER, Identity.ADMIN)).as("%s names a role the realm has", declared.declaredOn())
              .containsAll(declared.roles());
        }
      }
    }
    assertThat(methods).as("resource methods found").isGreaterThan(25);
    assertThat(undeclared).as("resource methods without @RolesAllowed or @PermitAll").isEmpty();
    assertThat(open).as("methods open to anyone").containsExactlyInAnyOrder(
        "SessionResource.signIn", "SessionResource.whoAmI", "SessionResource.signOut");
  }

  @Test
  void anUndeclaredMethodIsRefusedToEveryCaller() {
    for (String caller : new String[] {ALICE, ADMIN}) {
      error(get(caller, "v1/undeclared"), 403, "forbidden");
      error(get(caller, "v1/undeclared/conflict"), 403, "forbidden");
      error(get(caller, "v1/denied"), 403, "forbidden");
    }
    error(get(null, "v1/undeclared"), 401, "unauthorized");
  }

  @Test
  void aDeclarationOnTheMethodWinsOverTheClass() {
    assertThat(get(null, "v1/denied/open").readEntity(String.class)).isEqualTo("reached");
    error(get(ADMIN, "v1/denied"), 403, "forbidden");
  }

  /** A user endpoint answers a user and an admin, an admin one only the admin. */
  @Test
  void userEndpointsAnswerUsersAndAdminsAdminEndpointsOnlyAdmins() {
    json(get(ALICE, "v1/templates"), 200);
    json(get(ADMIN, "v1/templates"), 200);
    error(get(ALICE, "v1/admin/api-keys"), 403, "forbidden");
    json(get(ADMIN, "v1/admin/api-keys"), 200);
  }

  static List<Method> resourceMethods(Class<?> type) {
    List<Method> methods = new ArrayList<>();
    for (Method method : type.getMethods()) {
      if (ApiDocument.httpMethod(method) != null) {
        methods.add(method);
      }
    }
    return methods;
  }
}
