package io.comfygate.web;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.runtime.ObjectMethods;
import org.slf4j.LoggerFactory;

/**
 * Makes the JDK forget the last record types of this application it adapted for records'
 * {@code equals}, {@code hashCode} and {@code toString}. On Java 17 the JVM-wide method handles
 * behind them ({@link ObjectMethods}) keep their last {@code asType} adaptation, whose type names
 * the record (or a component's class), strongly: one of this application's records kept its
 * class loader, and so the whole undeployed application, loaded. Bootstrapping those methods
 * once more for a JDK type replaces each cached adaptation. Only public API is used.
 */
final class JdkRecordCaches {
  private JdkRecordCaches() {}

  /** For an application being stopped, after the last of its code ran. Never throws. */
  static void forgetApplicationTypes() {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      // A "record" of type String with one String component: every cached adaptation becomes one
      // between JDK types (the object's own, and a component of reference type).
      MethodHandle component = lookup.findVirtual(String.class, "strip", MethodType.methodType(String.class));
      ObjectMethods.bootstrap(lookup, "equals", MethodType.methodType(boolean.class, String.class, Object.class),
          String.class, "value", component);
      ObjectMethods.bootstrap(lookup, "hashCode", MethodType.methodType(int.class, String.class),
          String.class, "value", component);
      ObjectMethods.bootstrap(lookup, "toString", MethodType.methodType(String.class, String.class),
          String.class, "value", component);
    } catch (Throwable e) {
      LoggerFactory.getLogger(JdkRecordCaches.class).warn("could not clear the JDK's record method caches "
          + "(this application may stay loaded after undeploy): {}", e.toString());
    }
  }
}
