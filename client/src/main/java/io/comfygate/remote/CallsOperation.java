package io.comfygate.remote;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the operations of ComfyGate's OpenAPI document ({@code operationId}) a method calls, so
 * that a test can check the client offers every operation of the server.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CallsOperation {
  String[] value();
}
