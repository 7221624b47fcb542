package io.comfygate.web;

import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;

/**
 * A resource object built by us (with its collaborators, no injection) as Jersey's resource model,
 * every method handled by that very object. Registering the object itself
 * ({@code register(new JobsResource(…))}) works too, but Jersey then also checks it as a provider and
 * logs at every start that the "provider … will be ignored"; a programmatic resource is not checked
 * so.
 */
final class InstanceResources {
  private InstanceResources() {}

  /** The model of {@code resource}'s annotated class (path, methods, sub-resources), handled by it. */
  static Resource of(Object resource) {
    Resource model = Resource.from(resource.getClass());
    if (model == null) {
      throw new IllegalArgumentException(resource.getClass().getName() + " is not a resource (no @Path)");
    }
    return handledBy(model, resource);
  }

  private static Resource handledBy(Resource model, Object handler) {
    Resource.Builder builder = Resource.builder(model);
    for (ResourceMethod method : model.getResourceMethods()) {
      builder.updateMethod(method).handledBy(handler, method.getInvocable().getDefinitionMethod()).build();
    }
    for (Resource child : model.getChildResources()) {
      builder.replaceChildResource(child, handledBy(child, handler));
    }
    return builder.build();
  }
}
